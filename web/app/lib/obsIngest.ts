// What a streamer types into OBS (Settings → Stream → Custom): the RTMP "Server" and "Stream key", or
// for SRT one "Server" URL that carries the key in its streamid and an empty key field.
import type { IngestUrls } from "./apiTypes.ts";

export type IngestProtocol = "rtmp" | "srt";

export interface ObsFields {
  server: string;
  streamKey: string | null;
}

/** null when the platform does not serve that protocol now (its port is taken, or SRT is off). */
export function obsIngest(urls: IngestUrls, protocol: IngestProtocol, streamKey: string): ObsFields | null {
  if (protocol === "srt") return urls.srt === null ? null : { server: urls.srt, streamKey: null };
  const rtmp = urls.rtmp;
  if (rtmp === null) return null;
  // the key is the stream name: some servers print it joined to the URL, OBS wants them apart
  const server = rtmp.endsWith(`/${streamKey}`)
    ? rtmp.slice(0, -(streamKey.length + 1))
    : rtmp.replace(/\/+$/, "");
  return { server, streamKey };
}
