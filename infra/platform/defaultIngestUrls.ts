// The ingest addresses a kernel shows when the live ingest gives none: its own host name with the
// usual ports (RTMP 1935, SRT 8890).
import type { IngestUrls } from "../../domain/ports/ingestUrls.ts";

export function defaultIngestUrls(host: string, ports = { rtmp: 1935, srt: 8890 }): IngestUrls {
  const shown = host === "0.0.0.0" || host === "::" || host === "" ? "localhost" : host;
  const name = shown.includes(":") ? `[${shown}]` : shown;
  return (streamKey) => ({
    rtmp: `rtmp://${name}:${ports.rtmp}/live`,
    srt: `srt://${name}:${ports.srt}?streamid=publish:live/${streamKey}`,
  });
}
