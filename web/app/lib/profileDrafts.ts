// The profile editor's starting points and edits that are pure: a new document, the next ladder tier,
// and the API's validation details read back into a message per field.
import type { ProfileDocument } from "./apiTypes.ts";

export type LadderTierDocument = ProfileDocument["ladder"][number];

export const newProfileDocument = (): ProfileDocument => ({
  name: "",
  description: "",
  video: {
    codec: "h264",
    max_width: 1280,
    max_height: 720,
    bitrate_kbps: 2500,
    maxrate_kbps: 2750,
    bufsize_kbps: 5000,
    preset: "fast",
    max_fps: 60,
    keyframe_interval_sec: 2,
  },
  audio: { codec: "aac", bitrate_kbps: 128, sample_rate: 48_000, channels: 2 },
  container: "mp4",
  hardware: "off",
  packaging: null,
  ladder: [],
  thumbnails: null,
  subtitles: "none",
  max_attempts: 3,
});

const even = (n: number) => Math.max(16, Math.round(n / 2) * 2);

/** A tier below the last one (two thirds of its height, half its bitrate), or the profile's own size. */
export function nextTier(document: ProfileDocument): LadderTierDocument {
  const last = document.ladder.at(-1);
  const { video } = document;
  if (last === undefined)
    return {
      name: `${video.max_height}p`,
      max_width: video.max_width,
      max_height: video.max_height,
      bitrate_kbps: video.bitrate_kbps,
      maxrate_kbps: video.maxrate_kbps,
      bufsize_kbps: video.bufsize_kbps,
      enabled: true,
    };
  const height = even((last.max_height * 2) / 3);
  const bitrate = Math.max(16, Math.round(last.bitrate_kbps / 2));
  return {
    name: `${height}p`,
    max_width: even((last.max_width * height) / last.max_height),
    max_height: height,
    bitrate_kbps: bitrate,
    maxrate_kbps: Math.round(bitrate * 1.1),
    bufsize_kbps: bitrate * 2,
    enabled: true,
  };
}

/** The ladder with tier `index` moved by `by` (−1 up, +1 down); unchanged at either end. */
export function moveTier<T>(ladder: readonly T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  const moved = [...ladder];
  if (to < 0 || to >= ladder.length) return moved;
  [moved[index], moved[to]] = [moved[to]!, moved[index]!];
  return moved;
}

/**
 * The API names each invalid field in its details, `field: message` joined by "; " (after "Invalid
 * profile: " when the cross-field rules refused it): the message per field, for the form to show in place.
 */
export function fieldIssues(details: string): Record<string, string> {
  const issues: Record<string, string> = {};
  for (const part of details.replace(/^Invalid profile: /, "").split("; ")) {
    const match = /^([a-z0-9_.]+): (.+)$/.exec(part);
    if (match) issues[match[1]!] ??= match[2]!;
  }
  return issues;
}
