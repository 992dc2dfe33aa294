// An encoding profile as the HTTP API reads and writes it: the stored ProfileSpec with snake_case keys.
// The one place that maps between the two. Each field reuses the ProfileSpec field's own schema, so
// both say the same limits, and a zod issue on a request already names the field in API terms.
import { z } from "zod";
import {
  ladderTierSchema,
  type ProfileSpec,
  profileIdSchema,
  profileSpecSchema,
} from "../profiles/profileSpec.ts";

const spec = profileSpecSchema.shape;
const video = spec.video.shape;
const audio = spec.audio.unwrap().shape;
const packaging = spec.packaging.unwrap().shape;
const thumbnails = spec.thumbnails.unwrap().shape;
const tier = ladderTierSchema.shape;
const bounds = spec.segmentBounds.unwrap().shape;

export const profileLadderTierDocumentSchema = z
  .strictObject({
    name: tier.name,
    max_width: tier.maxWidth,
    max_height: tier.maxHeight,
    bitrate_kbps: tier.bitrateKbps,
    maxrate_kbps: tier.maxrateKbps,
    bufsize_kbps: tier.bufsizeKbps,
    codec: tier.codec,
    enabled: tier.enabled,
  })
  .meta({ id: "ProfileLadderTier" });

/** The document's fields, to spread into the request and response objects. */
export const profileDocumentShape = {
  name: spec.name,
  description: spec.description,
  video: z.strictObject({
    codec: video.codec,
    max_width: video.maxWidth,
    max_height: video.maxHeight,
    bitrate_kbps: video.bitrateKbps,
    maxrate_kbps: video.maxrateKbps,
    bufsize_kbps: video.bufsizeKbps,
    preset: video.preset.meta({
      description:
        'x264/x265 preset names; "0"–"13" for av1 (SVT-AV1); "good", "realtime" or "0"–"8" for vp9',
    }),
    profile: video.profile,
    level: video.level,
    max_fps: video.maxFps,
    keyframe_interval_sec: video.keyframeIntervalSec,
    upscale: video.upscale,
  }),
  audio: z
    .strictObject({
      codec: audio.codec,
      bitrate_kbps: audio.bitrateKbps,
      sample_rate: audio.sampleRate,
      channels: audio.channels,
    })
    .nullable()
    .meta({ description: "null: the output has no audio" }),
  container: spec.container,
  hardware: spec.hardware,
  packaging: z
    .strictObject({
      hls: packaging.hls,
      dash: packaging.dash,
      segment_sec: packaging.segmentSec,
      encryption: packaging.encryption,
    })
    .nullable()
    .meta({ description: "Adaptive streaming; null makes one progressive file" }),
  ladder: z.array(profileLadderTierDocumentSchema).max(10).meta({ description: "Tiers, top first" }),
  thumbnails: z
    .strictObject({
      interval_sec: thumbnails.intervalSec,
      width: thumbnails.width,
      storyboard: thumbnails.storyboard,
    })
    .nullable(),
  subtitles: spec.subtitles,
  max_attempts: spec.maxAttempts,
  segment_bounds: z
    .strictObject({ min_sec: bounds.minSec, target_sec: bounds.targetSec, max_sec: bounds.maxSec })
    .refine(
      (b) => b.min_sec <= b.target_sec && b.target_sec <= b.max_sec,
      "expected min_sec ≤ target_sec ≤ max_sec",
    )
    .optional(),
};

export const profileDocumentSchema = z.strictObject(profileDocumentShape);
export type ProfileDocument = z.infer<typeof profileDocumentSchema>;

export const profileIdParamsSchema = z.strictObject({
  id: profileIdSchema.meta({ description: "A profile id", example: "1080p_h264" }),
});

function renameKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameKeys(item, rename));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .map(([key, inner]) => [rename(key), renameKeys(inner, rename)]),
  );
}

const toSnake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The API's document of a stored profile. */
export const toProfileDocument = (profile: ProfileSpec): ProfileDocument =>
  renameKeys(profile, toSnake) as ProfileDocument;

/** The stored profile of a document the API accepted (profileDocumentSchema parsed it). */
export const toProfileSpec = (document: ProfileDocument): ProfileSpec =>
  renameKeys(document, toCamel) as ProfileSpec;
