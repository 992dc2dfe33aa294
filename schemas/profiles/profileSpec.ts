// An encoding profile as it is stored in its `profile-{id}` stream and snapshotted into every job that
// names it: codecs, rate control, container, the ABR ladder and its packaging, thumbnails and subtitles.
// camelCase like every internal shape; the HTTP API maps it to snake_case in one place.
import { z } from "zod";

export const profileIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lowercase letters, digits, '_' and '-', at most 64, e.g. 1080p_h264");

export const videoCodecSchema = z.enum(["h264", "hevc", "vp9", "av1"]);
export const audioCodecSchema = z.enum(["aac", "opus"]);
export const containerSchema = z.enum(["mp4", "mkv", "webm"]);

const kbps = z.int().min(16).max(200_000);

/** One rung of an ABR ladder; the top rung never exceeds the source's size (no upscale). */
export const ladderTierSchema = z.strictObject({
  /** Shown in players and used in file names, e.g. "720p". */
  name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "letters, digits, '_' and '-', at most 32"),
  maxWidth: z.int().min(16).max(7680),
  maxHeight: z.int().min(16).max(4320),
  bitrateKbps: kbps,
  maxrateKbps: kbps,
  bufsizeKbps: kbps,
  /** The tier's own codec; the profile's when absent. */
  codec: videoCodecSchema.optional(),
  enabled: z.boolean(),
});

export const segmentBoundsSchema = z
  .strictObject({
    minSec: z.number().min(1).max(600),
    targetSec: z.number().min(1).max(600),
    maxSec: z.number().min(1).max(600),
  })
  .refine((b) => b.minSec <= b.targetSec && b.targetSec <= b.maxSec, "expected minSec ≤ targetSec ≤ maxSec");

export const profileSpecSchema = z.strictObject({
  name: z.string().min(1).max(100),
  description: z.string().max(500),
  video: z.strictObject({
    codec: videoCodecSchema,
    /** The frame to fit in; turned to portrait for portrait sources. */
    maxWidth: z.int().min(16).max(7680),
    maxHeight: z.int().min(16).max(4320),
    bitrateKbps: kbps,
    maxrateKbps: kbps,
    bufsizeKbps: kbps,
    /** x264/x265 preset names, libvpx "good"/"realtime" speed as a string, SVT-AV1 preset as a number string. */
    preset: z.string().min(1).max(20),
    profile: z.string().min(1).max(20).optional(),
    level: z.string().min(1).max(10).optional(),
    maxFps: z.number().positive().max(240),
    keyframeIntervalSec: z.number().min(0.5).max(20),
    upscale: z.boolean().optional(),
  }),
  /** null: the output has no audio even when the source has. */
  audio: z
    .strictObject({
      codec: audioCodecSchema,
      bitrateKbps: z.int().min(8).max(1024),
      sampleRate: z.union([z.literal(44_100), z.literal(48_000)]),
      channels: z.int().min(1).max(8),
    })
    .nullable(),
  container: containerSchema,
  /** "auto" uses a proven hardware encoder for the codec when the worker has one. */
  hardware: z.enum(["off", "auto"]),
  /** Adaptive streaming; null makes one progressive file in `container`. */
  packaging: z
    .strictObject({
      hls: z.boolean(),
      dash: z.boolean(),
      segmentSec: z.number().min(1).max(30),
      /** HLS AES-128 (then the kernel serves the key to authorised clients only); DASH is not made. */
      encryption: z.enum(["none", "aes-128"]),
    })
    .nullable(),
  /** The ladder's tiers, top first; empty for a single rendition at `video`'s size and rate. */
  ladder: z.array(ladderTierSchema).max(10),
  /** Thumbnails every `intervalSec`, a poster, and a sprite sheet with a WebVTT storyboard; null: none. */
  thumbnails: z
    .strictObject({
      intervalSec: z.number().min(1).max(600),
      width: z.int().min(32).max(1920),
      storyboard: z.boolean(),
    })
    .nullable(),
  /** What becomes of the source's subtitle tracks. */
  subtitles: z.enum(["none", "passthrough", "extract", "burn_in"]),
  maxAttempts: z.int().min(1).max(10),
  segmentBounds: segmentBoundsSchema.optional(),
});

export type ProfileSpec = z.infer<typeof profileSpecSchema>;
export type LadderTier = z.infer<typeof ladderTierSchema>;
