// Where a live session's media sits in job storage: segments stored while live (also the preview's
// HLS playlist, a few seconds behind) and the whole recording once the session ends.

export interface RecordingKeys {
  /** The session's folder: `live/{streamId}/{sessionId}/`. */
  readonly folder: string;
  /** The HLS playlist of the segments stored so far; the live preview plays it. */
  readonly playlist: string;
  /** The n-th segment (from 0) as it closed. */
  segment(index: number): string;
  /** The whole session in one file, the source of the archive's VOD job. */
  readonly recording: string;
}

export function recordingKeys(streamId: string, sessionId: string): RecordingKeys {
  const folder = `live/${streamId}/${sessionId}/`;
  return {
    folder,
    playlist: `${folder}index.m3u8`,
    segment: (index) => `${folder}segment-${String(index).padStart(6, "0")}.ts`,
    recording: `${folder}recording.mp4`,
  };
}
