// The publish addresses the stream API hands out once the live ingest listens: its RTMP server URL
// (the key is the stream name, as OBS's "Server" and "Stream key" fields take them) and its SRT URL
// with the key in the stream id, in the form the engine reads (the bare key, or MediaMTX's
// `publish:live/KEY`). A protocol that does not listen here (its port was taken, or SRT is off) gets
// null, not the usual address: on a taken port that address would lead a publisher, stream key and
// all, to whichever other server holds it.
import type { IngestUrls } from "../../domain/ports/ingestUrls.ts";

export function liveIngestUrls(
  listening: Readonly<Record<string, string>>,
  srtStreamId: (streamKey: string) => string = (streamKey) => streamKey,
): IngestUrls {
  return (streamKey) => ({
    rtmp: listening.rtmp ?? null,
    srt: listening.srt === undefined ? null : `${listening.srt}?streamid=${srtStreamId(streamKey)}`,
  });
}
