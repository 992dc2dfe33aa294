// The events of a `job-{id}` stream: the job and its tasks. Type names are stable; a change of shape
// bumps the event's schema version and adds an upcaster (upcasters.ts), old events are never rewritten.
import { z } from "zod";
import { errorCodeSchema } from "../errors.ts";
import { profileSpecSchema } from "../profiles/profileSpec.ts";

const id = z.uuid();
const isoTimestamp = z.iso.datetime({ offset: true });
const attempt = z.number().int().positive();
const byteCount = z.number().int().nonnegative();
const seconds = z.number().nonnegative();
const checksum = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 lowercase hex digits');

export const sourceTypeSchema = z.enum(["url", "upload", "stream", "restream"]);

export const sourceMetadataSchema = z.strictObject({
  durationSec: seconds,
  /** Container as ffprobe names it, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  format: z.string().min(1),
  sizeBytes: byteCount,
  video: z
    .strictObject({
      codec: z.string().min(1),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      fps: z.number().positive(),
      rotation: z.number().int(),
      vfr: z.boolean(),
      pixFmt: z.string().min(1),
    })
    .nullable(),
  audio: z
    .strictObject({
      codec: z.string().min(1),
      channels: z.number().int().positive(),
      sampleRate: z.number().int().positive(),
    })
    .nullable(),
});

/**
 * What a task makes: video of its range (a chunk when split), the audio of the whole source, the stitch
 * of a rendition's chunks, thumbnails (with a poster and a storyboard), the source's subtitles as files,
 * or the package of a ladder (HLS/DASH over the renditions).
 */
export const taskKindSchema = z.enum(["video", "audio", "stitch", "thumbnails", "subtitles", "package"]);

/** A ladder tier's name as it appears in file names and players, e.g. "720p". */
export const renditionNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, "letters, digits, '_' and '-', at most 32");

/** How a chunk of a split encode is cut frame-exactly (see ChunkTiming in the encoder pillar). */
export const chunkTimingSchema = z.strictObject({
  seekSec: seconds,
  firstFrame: z.number().int().nonnegative(),
  frameCount: z.number().int().positive().nullable(),
  gridStartSec: z.number(),
  durationSec: seconds,
});

const ssimSpanSchema = z.strictObject({ ssim: z.number(), frames: z.number().int().positive() });

/**
 * A chunk's share of its job's seam figures, measured right after its encode (see ChunkEdgeSsim in the
 * encoder pillar): SSIM of its first and last frames and of its part of the mean's samples; or, when
 * measuring failed, why (the chunk still counts; the stitch then reports its seams unmeasured).
 */
export const chunkEdgeSsimSchema = z.strictObject({
  first: ssimSpanSchema.nullable(),
  last: ssimSpanSchema.nullable(),
  samples: ssimSpanSchema.nullable(),
  unmeasured: z.string().optional(),
  /** How long the measurement took, milliseconds. */
  measureMs: z.number().int().nonnegative(),
});

/** What the stitched output must hold (see StitchTarget in the encoder pillar). */
export const stitchTargetSchema = z.strictObject({
  frameRate: z.string().regex(/^\d+\/\d+$/, 'expected a rational such as "30000/1001"'),
  frameCount: z.number().int().positive(),
  durationSec: seconds,
  videoStartSec: z.number(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Absent in plans made before the mean's samples were read from source keyframes. */
  sampleKeyframesSec: z.array(z.number().nonnegative().nullable()).max(64).optional(),
});

export const plannedTaskSchema = z
  .strictObject({
    taskId: id,
    sequenceIndex: z.number().int().nonnegative(),
    startTimeSec: seconds,
    endTimeSec: seconds,
    /** Absent in plans made before split & stitch: "video". */
    kind: taskKindSchema.optional(),
    chunk: chunkTimingSchema.optional(),
    stitch: stitchTargetSchema.optional(),
    /** The ladder tier a video or stitch task belongs to; absent for a job of one rendition. */
    rendition: renditionNameSchema.optional(),
    /**
     * A video task that makes several tiers of a ladder at once, from one decode of its range: each tier's
     * file is listed in its completion's `files` under the tier's name. Never with `rendition`.
     */
    renditions: z.array(renditionNameSchema).min(2).max(10).optional(),
    /**
     * Tasks that must complete before this one is scheduled, each earlier in the plan. Absent in plans
     * made before ladders: a stitch then waits for every other task, any other task for none.
     */
    dependsOn: z.array(id).max(1000).optional(),
  })
  .refine((task) => task.endTimeSec > task.startTimeSec, "a task ends after it starts")
  .refine(
    (task) =>
      task.renditions === undefined ||
      (task.rendition === undefined &&
        (task.kind ?? "video") === "video" &&
        new Set(task.renditions).size === task.renditions.length),
    "a task of several renditions is a video task naming each once, and no single rendition",
  );

export const exitClassSchema = z.enum(["input", "transient", "oom", "timeout", "stalled", "cancelled"]);

/** What an output is, as `GET /v1/jobs/{id}/outputs` names it. */
export const outputTypeSchema = z.enum([
  "final",
  "manifest",
  "rendition",
  "thumbnail",
  "storyboard",
  "subtitle",
]);

export const jobOutputSchema = z.strictObject({
  name: z.string().min(1),
  type: outputTypeSchema,
  key: z.string().min(1),
  sizeBytes: byteCount,
  checksum,
  profile: z.string().min(1),
});

const nothing = z.strictObject({});

const event = <Type extends string, Data extends z.ZodType>(type: Type, data: Data) =>
  z.strictObject({ type: z.literal(type), data });

export const jobEventSchema = z.discriminatedUnion("type", [
  event(
    "JobSubmitted",
    z.strictObject({
      jobId: id,
      userId: z.string().min(1),
      sourceType: sourceTypeSchema,
      sourceUrl: z.string().min(1),
      profileId: z.string().min(1),
      outputConfig: z.record(z.string(), z.unknown()),
      /** The job this one repeats (POST /v1/jobs/{id}/retry). */
      retryOf: id.optional(),
      /** `prefer_gpu` of the request; absent, the profile's `hardware` decides (as for older jobs). */
      preferGpu: z.boolean().optional(),
      /** The profile as it was when the job was submitted; later edits never reach the job. Absent on older jobs. */
      profile: profileSpecSchema.optional(),
    }),
  ),
  event("JobSourceProbed", sourceMetadataSchema),
  event(
    "JobPlanned",
    z.strictObject({ tasks: z.array(plannedTaskSchema).min(1), maxAttempts: z.number().int().positive() }),
  ),
  event(
    "TaskScheduled",
    z.strictObject({
      taskId: id,
      attempt,
      /** What the task does, so that the queue can route it (light work runs beside an encode); absent in
       * logs written before it was recorded: "video". */
      kind: taskKindSchema.optional(),
      notBefore: isoTimestamp.optional(),
      /** Workers this attempt should not run on while another can take it: an earlier attempt ran out of memory there. */
      avoidWorkers: z.array(z.string().min(1)).optional(),
    }),
  ),
  event(
    "TaskStarted",
    z.strictObject({
      taskId: id,
      attempt,
      workerId: z.string().min(1),
      /** The work-queue message the attempt holds as its lease; a message of another id is a duplicate. */
      leaseId: z.string().min(1).max(200).optional(),
    }),
  ),
  // Milestones only: fine-grained progress travels as ephemeral ticks on the bus.
  event(
    "TaskProgressed",
    z.strictObject({
      taskId: id,
      attempt,
      milestonePct: z.union([z.literal(25), z.literal(50), z.literal(75)]),
    }),
  ),
  event(
    "TaskCompleted",
    z.strictObject({
      taskId: id,
      attempt,
      outputKey: z.string().min(1),
      sizeBytes: byteCount,
      checksum,
      durationSec: seconds,
      /**
       * A task that makes several files (package, thumbnails, subtitles): those a user fetches, each checked,
       * under the task's work folder; `outputKey` is the first of them. A package's segments are not listed:
       * they are counted in `folder`.
       */
      files: z
        .array(
          z.strictObject({
            name: z.string().min(1).max(200),
            type: outputTypeSchema,
            key: z.string().min(1),
            sizeBytes: byteCount,
            checksum,
            /** A subtitle's (or audio's) ISO 639 language, when the source tagged it. */
            language: z.string().min(1).max(35).optional(),
            /** The ladder tier a file of a task of several renditions holds. */
            rendition: renditionNameSchema.optional(),
            /** A chunk's file of one tier: its share of that tier's seam figures, for its stitch. */
            edgeSsim: chunkEdgeSsimSchema.optional(),
          }),
        )
        .max(2000)
        .optional(),
      /** Everything the task wrote under one folder of its work prefix (a package with its segments). */
      folder: z
        .strictObject({
          prefix: z.string().min(1),
          fileCount: z.number().int().positive(),
          sizeBytes: byteCount,
        })
        .optional(),
      /** A stitch's proof: what verification found and the seams' quality, per seam. */
      stitch: z
        .strictObject({
          frameCount: z.number().int().positive(),
          meanSsim: z.number().nullable(),
          seams: z.array(
            z.strictObject({
              index: z.number().int().positive(),
              timeSec: seconds,
              ssim: z.number(),
              delta: z.number(),
            }),
          ),
          /** Why the seams have no figures, when measuring them failed. */
          seamsUnmeasured: z.string().optional(),
          /** Milliseconds spent fetching the parts, stitching with its proof, and measuring the seams. */
          timings: z
            .strictObject({
              fetchMs: z.number().int().nonnegative(),
              stitchMs: z.number().int().nonnegative(),
              seamsMs: z.number().int().nonnegative(),
            })
            .optional(),
        })
        .optional(),
      /** A chunk of a split job: its share of the seam figures, for the stitch to combine. */
      edgeSsim: chunkEdgeSsimSchema.optional(),
    }),
  ),
  event(
    "TaskFailed",
    z.strictObject({
      taskId: id,
      attempt,
      exitClass: exitClassSchema,
      message: z.string(),
      stderrTail: z.string(),
    }),
  ),
  event(
    "TaskRetryScheduled",
    z.strictObject({
      taskId: id,
      nextAttempt: z.number().int().min(2),
      notBefore: isoTimestamp,
      delayMs: z.number().int().nonnegative(),
    }),
  ),
  event("JobStitchingStarted", nothing),
  event("JobUploadingStarted", nothing),
  event("JobCompleted", z.strictObject({ outputs: z.array(jobOutputSchema).min(1) })),
  event("JobFailed", z.strictObject({ code: errorCodeSchema, message: z.string() })),
  event("JobCancelled", z.strictObject({ reason: z.string().optional() })),
  event("JobRetried", z.strictObject({ newJobId: id })),
  event("JobDeleted", nothing),
]);

export type JobEvent = z.infer<typeof jobEventSchema>;

export type JobEventType = JobEvent["type"];

/** The data of one kind of job event: `JobEventData<"TaskStarted">`. */
export type JobEventData<Type extends JobEventType> = Extract<JobEvent, { type: Type }>["data"];

export type SourceMetadata = z.infer<typeof sourceMetadataSchema>;
export type PlannedTask = z.infer<typeof plannedTaskSchema>;
export type ExitClass = z.infer<typeof exitClassSchema>;
export type TaskKind = z.infer<typeof taskKindSchema>;
export type ChunkTimingData = z.infer<typeof chunkTimingSchema>;
export type StitchTargetData = z.infer<typeof stitchTargetSchema>;
export type ChunkEdgeSsimData = z.infer<typeof chunkEdgeSsimSchema>;
export type StitchReport = NonNullable<JobEventData<"TaskCompleted">["stitch"]>;
export type JobOutput = z.infer<typeof jobOutputSchema>;
export type OutputType = z.infer<typeof outputTypeSchema>;
export type TaskFile = NonNullable<JobEventData<"TaskCompleted">["files"]>[number];

export const jobEventTypes: readonly JobEventType[] = jobEventSchema.options.map(
  (option) => option.shape.type.value,
);

export const isJobEventType = (type: string): type is JobEventType =>
  (jobEventTypes as readonly string[]).includes(type);
