// How an input is handed to ffmpeg/ffprobe: local paths as `file:` URLs (so a name holding a colon
// or starting with "-" is never read as a protocol or an option), and the network protocols
// allowed only for http(s) sources, which follow no redirect (the API's SSRF check vetted the URL it
// was given, not wherever a server sends ffmpeg next). Anything else (rtmp://, concat:, …) is refused
// by ffmpeg itself.
import { resolve } from "node:path";

export interface FfmpegInput {
  readonly target: string;
  readonly protocolWhitelist: string;
  /** Input options that go before `-i` (or the target, for ffprobe), after the whitelist. */
  readonly options: readonly string[];
}

export function ffmpegInput(input: string): FfmpegInput {
  if (/^https?:\/\//i.test(input)) {
    return { target: input, protocolWhitelist: "http,https,tcp,tls", options: ["-max_redirects", "0"] };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) && !/^file:\/\//i.test(input)) {
    return { target: input, protocolWhitelist: "file,pipe", options: [] };
  }
  const path = /^file:\/\//i.test(input) ? decodeURIComponent(input.slice("file://".length)) : input;
  return { target: `file:${resolve(path)}`, protocolWhitelist: "file,pipe", options: [] };
}
