// The cross-field rules of an encoding profile that its schema cannot say field by field: rate control,
// the ladder's order, which codecs a container carries, packaging and presets. Each issue names its field
// as the HTTP API spells it (snake_case, dotted, tiers by index), so the dashboard can show it in place.
import type { LadderTier, ProfileSpec } from "../../schemas/profiles/profileSpec.ts";

export interface ProfileIssue {
  /** The field at fault in API terms, e.g. "video.maxrate_kbps" or "ladder.1.max_height". */
  field: string;
  message: string;
}

type VideoCodec = ProfileSpec["video"]["codec"];
type Container = ProfileSpec["container"];
type AudioCodec = NonNullable<ProfileSpec["audio"]>["codec"];

const X26X_PRESETS = [
  "ultrafast",
  "superfast",
  "veryfast",
  "faster",
  "fast",
  "medium",
  "slow",
  "slower",
  "veryslow",
  "placebo",
];
const numbers = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

/** x264/x265 preset names, SVT-AV1 presets 0–13, libvpx deadlines or cpu-used 0–8. */
export const presetsOf: Readonly<Record<VideoCodec, readonly string[]>> = {
  h264: X26X_PRESETS,
  hevc: X26X_PRESETS,
  av1: numbers(0, 13),
  vp9: ["good", "realtime", ...numbers(0, 8)],
};

/** What each container carries; mkv carries anything. */
const containerCodecs: Readonly<
  Record<Container, { video: readonly VideoCodec[]; audio: readonly AudioCodec[] }>
> = {
  webm: { video: ["vp9", "av1"], audio: ["opus"] },
  mp4: { video: ["h264", "hevc", "av1", "vp9"], audio: ["aac", "opus"] },
  mkv: { video: ["h264", "hevc", "vp9", "av1"], audio: ["aac", "opus"] },
};

interface RateControl {
  bitrateKbps: number;
  maxrateKbps: number;
  bufsizeKbps: number;
}

function rateIssues(at: string, rate: RateControl): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  if (rate.maxrateKbps < rate.bitrateKbps)
    issues.push({
      field: `${at}.maxrate_kbps`,
      message: `maxrate (${rate.maxrateKbps}) must be at least the bitrate (${rate.bitrateKbps})`,
    });
  if (rate.bufsizeKbps < rate.maxrateKbps)
    issues.push({
      field: `${at}.bufsize_kbps`,
      message: `bufsize (${rate.bufsizeKbps}) must be at least the maxrate (${rate.maxrateKbps})`,
    });
  return issues;
}

function ladderIssues(ladder: readonly LadderTier[], container: Container): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  const names = new Set<string>();
  ladder.forEach((tier, i) => {
    const at = `ladder.${i}`;
    issues.push(...rateIssues(at, tier));
    if (names.has(tier.name))
      issues.push({ field: `${at}.name`, message: `another tier is already named ${tier.name}` });
    names.add(tier.name);
    if (tier.codec !== undefined && !containerCodecs[container].video.includes(tier.codec))
      issues.push({ field: `${at}.codec`, message: `${container} cannot carry ${tier.codec}` });
    const above = ladder[i - 1];
    if (above === undefined) return;
    if (tier.maxHeight >= above.maxHeight)
      issues.push({
        field: `${at}.max_height`,
        message: `tiers go top first: ${tier.maxHeight} must be below the tier above (${above.maxHeight})`,
      });
    if (tier.bitrateKbps >= above.bitrateKbps)
      issues.push({
        field: `${at}.bitrate_kbps`,
        message: `tiers go top first: ${tier.bitrateKbps} kbps must be below the tier above (${above.bitrateKbps})`,
      });
  });
  return issues;
}

export function validateProfile(spec: ProfileSpec): ProfileIssue[] {
  const issues: ProfileIssue[] = [...rateIssues("video", spec.video)];
  const { video, audio, container, packaging } = spec;
  const carries = containerCodecs[container];
  if (!carries.video.includes(video.codec))
    issues.push({
      field: "video.codec",
      message: `${container} cannot carry ${video.codec}; it takes ${carries.video.join(" or ")}`,
    });
  if (audio !== null && !carries.audio.includes(audio.codec))
    issues.push({
      field: "audio.codec",
      message: `${container} cannot carry ${audio.codec}; it takes ${carries.audio.join(" or ")}`,
    });
  if (!presetsOf[video.codec].includes(video.preset))
    issues.push({
      field: "video.preset",
      message: `${video.codec} takes the presets ${presetsOf[video.codec].join(", ")}`,
    });
  if (video.maxFps < 1) issues.push({ field: "video.max_fps", message: "at least 1 frame per second" });
  if (video.keyframeIntervalSec * video.maxFps < 1)
    issues.push({
      field: "video.keyframe_interval_sec",
      message: "a keyframe interval shorter than one frame at max_fps",
    });
  issues.push(...ladderIssues(spec.ladder, container));
  if (packaging !== null) {
    if (!packaging.hls && !packaging.dash)
      issues.push({
        field: "packaging.hls",
        message: "packaging makes HLS, DASH or both; set packaging to null for one progressive file",
      });
    if (packaging.encryption === "aes-128" && !packaging.hls)
      issues.push({ field: "packaging.encryption", message: "AES-128 encryption needs HLS" });
  }
  return issues;
}
