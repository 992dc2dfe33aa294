// Where publishers send a stream: the live ingest knows its own addresses, the stream API only shows
// them. The kernel is handed the ingest's function; without one it builds them from its host name.

export interface IngestEndpoints {
  /** The RTMP server URL (the key is the stream name): `rtmp://host:1935/live`; null: no RTMP ingest. */
  readonly rtmp: string | null;
  /** The SRT URL, the key in its stream id; null: no SRT ingest. */
  readonly srt: string | null;
}

export type IngestUrls = (streamKey: string) => IngestEndpoints;
