// How an input is handed to ffmpeg/ffprobe: local paths as `file:` URLs (so a name holding a colon
// or starting with "-" is never read as a protocol or an option); http(s) sources only through the
// egress proxy and following no redirect. Every input gets an allow-list of demuxers for single media
// files, checked by ffmpeg before it reads a header, so a playlist or list (hls, dash, concat, …) is
// refused before it can open a single segment, wherever it came from and however it was probed before.
import { resolve } from "node:path";

export interface FfmpegInput {
  readonly target: string;
  readonly protocolWhitelist: string;
  /** Input options that go before `-i` (or the target, for ffprobe), after the whitelist. */
  readonly options: readonly string[];
}

/**
 * Demuxers of one self-contained media file. Left out on purpose: everything that opens other inputs
 * (hls, dash, concat, imf, image2 sequences, lavfi, sdp/rtp, tee) and formats no video comes in.
 */
export const MEDIA_FORMATS = [
  "mov,mp4,m4a,3gp,3g2,mj2",
  "matroska,webm",
  "avi",
  "mpegts",
  "flv",
  "mpeg",
  "ogg",
  "asf",
  "mp3",
  "aac",
  "wav",
  "flac",
].join(",");

export const isRemoteInput = (input: string): boolean => /^https?:\/\//i.test(input);

export function ffmpegInput(input: string): FfmpegInput {
  const formats = ["-format_whitelist", MEDIA_FORMATS];
  if (isRemoteInput(input)) {
    // httpproxy: https reaches the egress proxy through a CONNECT tunnel.
    return {
      target: input,
      protocolWhitelist: "http,https,tcp,tls,httpproxy",
      options: ["-max_redirects", "0", ...formats],
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) && !/^file:\/\//i.test(input)) {
    return { target: input, protocolWhitelist: "file,pipe", options: formats };
  }
  const path = /^file:\/\//i.test(input) ? decodeURIComponent(input.slice("file://".length)) : input;
  return { target: `file:${resolve(path)}`, protocolWhitelist: "file,pipe", options: formats };
}

/**
 * The environment of an ffmpeg run that reads through the egress proxy: ffmpeg takes `http_proxy` for
 * http and tunnels https through it too; the URL carries the run's credentials, so it travels in the
 * environment (readable by this user only), not on a command line every local user can list.
 */
export function proxyEnv(proxyUrl: string): NodeJS.ProcessEnv {
  const { no_proxy: _no, NO_PROXY: _NO, HTTP_PROXY: _HTTP, https_proxy: _https, ...rest } = process.env;
  return { ...rest, http_proxy: proxyUrl };
}
