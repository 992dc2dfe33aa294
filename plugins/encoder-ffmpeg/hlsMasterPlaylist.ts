// The HLS multivariant playlist: one EXT-X-STREAM-INF per video rendition (top first), the audio
// tracks as one rendition group and the subtitles as another (RFC 8216 4.3.4).
import { quoted } from "./hlsMediaPlaylist.ts";

export interface HlsVariant {
  readonly uri: string;
  /** Bits per second, the default audio included. */
  readonly bandwidth: number;
  readonly averageBandwidth: number;
  /** Video first, then every audio codec of the group, e.g. "avc1.64001e,mp4a.40.2". */
  readonly codecs: string;
  /** 0 for an audio-only variant, as its frame rate. */
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
}

export interface HlsAlternative {
  readonly uri: string;
  readonly language: string | null;
  readonly name: string;
  readonly isDefault: boolean;
}

export interface HlsMaster {
  readonly variants: readonly HlsVariant[];
  readonly audio: readonly (HlsAlternative & { readonly channels: number | null })[];
  readonly subtitles: readonly (HlsAlternative & { readonly forced: boolean })[];
}

export const AUDIO_GROUP = "aud";
export const SUBTITLE_GROUP = "subs";

export function hlsMasterPlaylist(master: HlsMaster): string {
  // One DEFAULT per group, and names unique within it, as the RFC asks.
  const audioDefault = Math.max(
    0,
    master.audio.findIndex((a) => a.isDefault),
  );
  const subtitleDefault = master.subtitles.findIndex((s) => s.isDefault);
  const audioNames = uniqueNames(master.audio.map((a) => a.name));
  const subtitleNames = uniqueNames(master.subtitles.map((s) => s.name));
  const yesNo = (flag: boolean) => (flag ? "YES" : "NO");
  const language = (tag: string | null) => (tag === null ? "" : `,LANGUAGE="${quoted(tag)}"`);

  const media = [
    ...master.audio.map(
      (a, i) =>
        `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${AUDIO_GROUP}"${language(a.language)},NAME="${quoted(audioNames[i]!)}",` +
        `DEFAULT=${yesNo(i === audioDefault)},AUTOSELECT=YES` +
        `${a.channels === null ? "" : `,CHANNELS="${a.channels}"`},URI="${quoted(a.uri)}"`,
    ),
    ...master.subtitles.map(
      (s, i) =>
        `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="${SUBTITLE_GROUP}"${language(s.language)},NAME="${quoted(subtitleNames[i]!)}",` +
        `DEFAULT=${yesNo(i === subtitleDefault)},AUTOSELECT=${yesNo(i === subtitleDefault || !s.forced)},` +
        `FORCED=${yesNo(s.forced)},URI="${quoted(s.uri)}"`,
    ),
  ];
  const variants = master.variants.flatMap((v) => [
    "#EXT-X-STREAM-INF:" +
      [
        `BANDWIDTH=${Math.ceil(v.bandwidth)}`,
        `AVERAGE-BANDWIDTH=${Math.ceil(v.averageBandwidth)}`,
        // an audio-only variant has no frame
        ...(v.width > 0 && v.height > 0 ? [`RESOLUTION=${v.width}x${v.height}`] : []),
        `CODECS="${v.codecs}"`,
        ...(v.frameRate > 0 ? [`FRAME-RATE=${v.frameRate.toFixed(3)}`] : []),
        ...(master.audio.length > 0 ? [`AUDIO="${AUDIO_GROUP}"`] : []),
        ...(master.subtitles.length > 0 ? [`SUBTITLES="${SUBTITLE_GROUP}"`] : []),
      ].join(","),
    v.uri,
  ]);
  const lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS", "", ...media, "", ...variants];
  return `${lines.join("\n")}\n`;
}

function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name} (${count})`;
  });
}
