// What a file is by its name: the browse view's kind and the content type a storage without its own
// (storage-fs) reports. By extension only; nothing is opened.
import type { MediaKind } from "./storageProvider.ts";

const CONTENT_TYPES: Readonly<Record<string, readonly [MediaKind, string]>> = {
  mp4: ["video", "video/mp4"],
  m4v: ["video", "video/x-m4v"],
  mov: ["video", "video/quicktime"],
  mkv: ["video", "video/x-matroska"],
  webm: ["video", "video/webm"],
  avi: ["video", "video/x-msvideo"],
  ts: ["video", "video/mp2t"],
  m2ts: ["video", "video/mp2t"],
  mts: ["video", "video/mp2t"],
  flv: ["video", "video/x-flv"],
  mpg: ["video", "video/mpeg"],
  mpeg: ["video", "video/mpeg"],
  wmv: ["video", "video/x-ms-wmv"],
  m4s: ["video", "video/iso.segment"],
  m3u8: ["other", "application/vnd.apple.mpegurl"],
  mpd: ["other", "application/dash+xml"],
  mp3: ["audio", "audio/mpeg"],
  m4a: ["audio", "audio/mp4"],
  aac: ["audio", "audio/aac"],
  wav: ["audio", "audio/wav"],
  flac: ["audio", "audio/flac"],
  ogg: ["audio", "audio/ogg"],
  opus: ["audio", "audio/opus"],
  jpg: ["image", "image/jpeg"],
  jpeg: ["image", "image/jpeg"],
  png: ["image", "image/png"],
  webp: ["image", "image/webp"],
  gif: ["image", "image/gif"],
  vtt: ["other", "text/vtt"],
  srt: ["other", "application/x-subrip"],
  json: ["other", "application/json"],
  txt: ["other", "text/plain"],
};

/** Lower case, without the dot; "" when the name has none (or is only a leading dot, `.env`). */
export const extensionOf = (name: string): string => {
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
};

export const mediaKindOf = (name: string): MediaKind => CONTENT_TYPES[extensionOf(name)]?.[0] ?? "other";

export const contentTypeOf = (name: string): string =>
  CONTENT_TYPES[extensionOf(name)]?.[1] ?? "application/octet-stream";
