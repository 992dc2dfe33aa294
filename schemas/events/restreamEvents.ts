// The events of a `restream-{id}` stream: one input fanned out to several destinations, created, edited
// whole, started and stopped as runs (each with its id), and each destination's state on its transitions
// only. A destination's URL carries its stream key: events hold it sealed (AES-256-GCM) and masked.
import { z } from "zod";
import { type ParsedEvent, parseEventWithoutUpcasters } from "./parseEventWithoutUpcasters.ts";

export const restreamPlatforms = ["youtube", "twitch", "kick", "rumble", "facebook", "custom"] as const;
export const restreamPlatformSchema = z.enum(restreamPlatforms);
export type RestreamPlatform = z.infer<typeof restreamPlatformSchema>;

/** Where the media comes from: one of our live streams, a file in storage, or a finished job's output. */
export const restreamInputSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("rtmp"), streamId: z.uuid() }),
  /** A storage URL (`fs://`, `s3://`, `http(s)://`), read through the storage pillar. */
  z.strictObject({ type: z.literal("file"), url: z.string().min(1) }),
  /** The job's final output; `outputKey` picks one when the job wrote several. */
  z.strictObject({ type: z.literal("vod_job"), jobId: z.uuid(), outputKey: z.string().min(1).optional() }),
]);
export type RestreamInput = z.infer<typeof restreamInputSchema>;
export type RestreamInputType = RestreamInput["type"];

/** When runs start: on demand, once at a time, or on a cron schedule (each run lasting `durationSeconds`). */
export const restreamScheduleSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("immediate") }),
  z.strictObject({ type: z.literal("scheduled"), startAt: z.iso.datetime({ offset: true }) }),
  z.strictObject({
    type: z.literal("recurring"),
    cron: z.string().min(1),
    timezone: z.string().min(1).optional(),
    /** How long each occurrence runs; absent: until the input ends or someone stops it. */
    durationSeconds: z.int().positive().optional(),
  }),
]);
export type RestreamSchedule = z.infer<typeof restreamScheduleSchema>;

/** A destination URL as stored: sealed for the process that publishes to it, masked for everyone else. */
export const sealedDestinationUrlSchema = z.strictObject({
  /** `rtmp://a.rtmp.youtube.com/live2/••••abcd`: the stream key shown by its last four characters only. */
  masked: z.string().min(1),
  /** `v1.{iv}.{tag}.{ciphertext}` (base64url), AES-256-GCM under a key derived from the platform secret. */
  sealed: z.string().regex(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/),
});
export type SealedDestinationUrl = z.infer<typeof sealedDestinationUrlSchema>;

/** A destination that takes the stream re-encoded (H.264 and AAC at these rates) instead of copied. */
export const restreamTranscodeSchema = z.strictObject({
  videoBitrateKbps: z.int().min(100).max(50_000),
  audioBitrateKbps: z.int().min(32).max(512),
});
export type RestreamTranscode = z.infer<typeof restreamTranscodeSchema>;

export const restreamDestinationSchema = z.strictObject({
  destinationId: z.uuid(),
  platform: restreamPlatformSchema,
  url: sealedDestinationUrlSchema,
  enabled: z.boolean(),
  /** Absent: stream copy, as the input is. */
  transcode: restreamTranscodeSchema.optional(),
});
export type RestreamDestination = z.infer<typeof restreamDestinationSchema>;

/** The whole document of a restream, as created and as replaced by an edit. */
export const restreamDefinitionSchema = z.strictObject({
  title: z.string().min(1).max(255),
  description: z.string().max(10_000),
  input: restreamInputSchema,
  destinations: z.array(restreamDestinationSchema).min(1).max(20),
  schedule: restreamScheduleSchema,
  /** Files: start over at the end instead of stopping. */
  loop: z.boolean(),
  /** Files: read at the media's own pace (`-re`), as a live source would send it. */
  simulateLive: z.boolean(),
});
export type RestreamDefinition = z.infer<typeof restreamDefinitionSchema>;

export const destinationStates = ["idle", "connecting", "live", "errored"] as const;
export const destinationStateSchema = z.enum(destinationStates);
export type DestinationState = z.infer<typeof destinationStateSchema>;

export const restreamTriggerSchema = z.enum(["manual", "schedule"]);
export const restreamStopReasonSchema = z.enum([
  "requested",
  "input_ended",
  "schedule_ended",
  "failed",
  "deleted",
]);
export type RestreamStopReason = z.infer<typeof restreamStopReasonSchema>;

const event = <Type extends string, Data extends z.ZodType>(type: Type, data: Data) =>
  z.strictObject({ type: z.literal(type), data });

const restreamId = z.uuid();
const runId = z.uuid();

export const restreamEventSchema = z.discriminatedUnion("type", [
  event("RestreamCreated", z.strictObject({ restreamId, ...restreamDefinitionSchema.shape })),
  event("RestreamUpdated", z.strictObject({ restreamId, ...restreamDefinitionSchema.shape })),
  event("RestreamDeleted", z.strictObject({ restreamId })),
  event("RestreamStarted", z.strictObject({ restreamId, runId, trigger: restreamTriggerSchema })),
  event(
    "RestreamStopped",
    z.strictObject({
      restreamId,
      runId,
      reason: restreamStopReasonSchema,
      /** Why a run failed; never a destination URL. */
      error: z.string().max(1000).optional(),
    }),
  ),
  event(
    "RestreamDestinationStateChanged",
    z.strictObject({
      restreamId,
      runId,
      destinationId: z.uuid(),
      state: destinationStateSchema,
      /** Failures of this destination in this run so far. */
      errorCount: z.int().min(0),
      /** The latest failure, its URL masked; kept across recoveries so the page can show it. */
      lastError: z.string().max(1000).optional(),
    }),
  ),
]);

export type RestreamEvent = z.infer<typeof restreamEventSchema>;
export type RestreamEventType = RestreamEvent["type"];
export type RestreamEventData<Type extends RestreamEventType> = Extract<
  RestreamEvent,
  { type: Type }
>["data"];

export const restreamEventTypes: readonly RestreamEventType[] = restreamEventSchema.options.map(
  (option) => option.shape.type.value,
);

export type ParsedRestreamEvent = ParsedEvent<RestreamEvent>;

export const parseRestreamEvent = parseEventWithoutUpcasters<RestreamEvent>(
  restreamEventSchema,
  restreamEventTypes,
);
