// Where a restream reads one of our live streams: the live host answers with a local URL that ffmpeg can
// read (an RTMP play URL on the loopback, say) while the stream is live, and null while it is not.
export interface LiveReader {
  readUrl(streamId: string): Promise<string | null>;
}
