import { randomUUID } from "node:crypto";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { createS3Storage } from "../../plugins/storage-s3/index.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import {
  createFakeEncoder,
  type FakeEncoder,
  sourceInfoFixture,
} from "../../test/support/createFakeEncoder.ts";
import { type FsMediaStorage, fsMediaStorage } from "../../test/support/fsMediaStorage.ts";
import { reactionContext } from "../reactionContext.ts";
import { taskIdOf } from "../taskIdOf.ts";
import {
  type JobPlannerDeps,
  planSubmittedJob,
  SourceStorageUnavailable,
  sourceMetadataOf,
} from "./jobPlanner.ts";

let dir: string;
let store: EventStore;
let encoder: FakeEncoder;
let plannerDeps: JobPlannerDeps;
let storage: FsMediaStorage;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "job-planner-unit-"));
  await writeFile(join(dir, "clip.mp4"), "0123456789");
  store = createMemoryEventStore();
  encoder = createFakeEncoder();
  storage = await fsMediaStorage({ mediaRoot: dir, storageRoot: join(dir, ".storage") });
  const jobs = createJobCommands({ store, newId: randomUUID, now: () => new Date() });
  plannerDeps = { jobs, encoder, storage };
});
afterEach(async () => {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

async function submit(sourceUrl: string): Promise<{ jobId: string; submitted: RecordedEvent }> {
  const jobId = randomUUID();
  const data = {
    jobId,
    userId: "u-1",
    sourceType: "url" as const,
    sourceUrl,
    profileId: "480p_fast",
    outputConfig: {},
  };
  const context = reactionContext({ id: randomUUID() });
  await executeJobCommand(
    { store, newId: randomUUID, now: () => new Date() },
    jobId,
    { type: "SubmitJob", data },
    context,
  );
  const [submitted] = await store.readStream(jobStream.name(jobId));
  return { jobId, submitted: submitted! };
}

const eventsOf = (jobId: string) => store.readStream(jobStream.name(jobId));

describe("job planner", () => {
  it("probes the source and plans one task over the whole duration; a redelivery changes nothing", async () => {
    const { jobId, submitted } = await submit("fs://clip.mp4");
    await planSubmittedJob(plannerDeps, submitted);
    await planSubmittedJob(plannerDeps, submitted);

    const events = await eventsOf(jobId);
    expect(events.map((e) => e.type)).toEqual([
      "JobSubmitted",
      "JobSourceProbed",
      "JobPlanned",
      "TaskScheduled",
    ]);
    expect(events[1]?.data).toMatchObject({ durationSec: 2, sizeBytes: 10, video: { width: 320, fps: 30 } });
    expect(events[2]?.data).toEqual({
      tasks: [{ taskId: taskIdOf(jobId, 0), sequenceIndex: 0, startTimeSec: 0, endTimeSec: 2 }],
      maxAttempts: 3,
    });
    // caused by the submission, in its correlation
    expect(events[1]?.metadata).toMatchObject({
      causationId: submitted.id,
      correlationId: submitted.metadata.correlationId,
      actor: { userId: "system", role: "system" },
    });
  });

  it("fails the job with WE-JOB-007 when the source is not media, WE-JOB-002 when it is missing or unreachable", async () => {
    encoder.probeAnswer = () => ({ _tag: "ProbeFailure", reason: "not_media", message: "not a media file" });
    const corrupt = await submit("fs://clip.mp4");
    await planSubmittedJob(plannerDeps, corrupt.submitted);
    encoder.probeAnswer = () => ({ _tag: "ProbeFailure", reason: "unreachable", message: "answered 403" });
    const unreachable = await submit("fs://clip.mp4");
    await planSubmittedJob(plannerDeps, unreachable.submitted);
    encoder.probeAnswer = sourceInfoFixture;
    const missing = await submit("fs://gone.mp4");
    await planSubmittedJob(plannerDeps, missing.submitted);

    for (const [{ jobId }, code] of [
      [corrupt, "WE-JOB-007"],
      [unreachable, "WE-JOB-002"],
      [missing, "WE-JOB-002"],
    ] as const) {
      const events = await eventsOf(jobId);
      expect(events.map((e) => e.type)).toEqual(["JobSubmitted", "JobFailed"]);
      expect(events[1]?.data.code).toBe(code);
    }
    expect((await eventsOf(missing.jobId))[1]?.data.message).toMatch(/does not exist.*upload the file first/);
  });

  it("plans an audio-only source as its audio alone, and fails it as WE-JOB-007 with an encoder that cannot", async () => {
    encoder.probeAnswer = () => ({ _tag: "ProbeFailure", reason: "no_video", message: "no video stream" });
    const refused = await submit("fs://clip.mp4");
    await planSubmittedJob(plannerDeps, refused.submitted);
    const failed = await eventsOf(refused.jobId);
    expect(failed.map((e) => e.type)).toEqual(["JobSubmitted", "JobFailed"]);
    expect(failed[1]?.data.code).toBe("WE-JOB-007");

    const track = { index: 0, codec: "mp3", language: null, title: null, isDefault: true, durationSec: 20 };
    const audioOnly: NonNullable<JobPlannerDeps["encoder"]["audioOnly"]> = {
      probe: async (input) => ({
        _tag: "AudioSourceInfo",
        input,
        durationSec: 20,
        formatName: "mp3",
        tracks: [{ ...track, channels: 2, sampleRate: 44_100 }],
      }),
      plan: () => null,
      encode: async () => {
        throw new Error("the planner never encodes");
      },
    };
    const { jobId, submitted } = await submit("fs://clip.mp4");
    await planSubmittedJob({ ...plannerDeps, encoder: { ...encoder, audioOnly } }, submitted);
    const events = await eventsOf(jobId);
    expect(events.map((e) => e.type)).toEqual([
      "JobSubmitted",
      "JobSourceProbed",
      "JobPlanned",
      "TaskScheduled",
    ]);
    expect(events[1]?.data).toEqual({
      durationSec: 20,
      format: "mp3",
      sizeBytes: 10,
      video: null,
      audio: { codec: "mp3", channels: 2, sampleRate: 44_100 },
    });
    expect(events[2]?.data).toMatchObject({
      tasks: [{ taskId: taskIdOf(jobId, 0), kind: "audio", startTimeSec: 0, endTimeSec: 20, dependsOn: [] }],
    });
  });

  it("refuses a source leading out of the media root or a scheme it does not fetch", async () => {
    const outside = await mkdtemp(join(tmpdir(), "job-planner-outside-"));
    await writeFile(join(outside, "secret.mp4"), "x");
    await symlink(join(outside, "secret.mp4"), join(dir, "link.mp4"));
    const jobs = [
      await submit("fs://link.mp4"),
      await submit("http://127.0.0.1/a.mp4"),
      await submit("rtmp://x/y"),
    ];
    for (const { jobId, submitted } of jobs) {
      await planSubmittedJob(plannerDeps, submitted);
      expect((await eventsOf(jobId)).map((e) => e.type)).toEqual(["JobSubmitted", "JobFailed"]);
    }
    await rm(outside, { recursive: true, force: true });
  });

  it("leaves the job queued and asks to be retried when the probe fails on our side", async () => {
    const { jobId, submitted } = await submit("fs://clip.mp4");
    encoder.probeAnswer = () => ({ _tag: "ProbeFailure", reason: "probe_error", message: "ffprobe crashed" });
    await expect(planSubmittedJob(plannerDeps, submitted)).rejects.toThrow(/ffprobe crashed/);
    expect((await eventsOf(jobId)).map((e) => e.type)).toEqual(["JobSubmitted"]);

    encoder.probeAnswer = sourceInfoFixture;
    await planSubmittedJob(plannerDeps, submitted);
    expect((await eventsOf(jobId)).at(-1)?.type).toBe("TaskScheduled");
  });

  it("leaves the job queued and asks to be retried when the storage holding the source does not answer", async () => {
    const down = createS3Storage({ bucket: "media", endpoint: "http://127.0.0.1:9", max_attempts: 1 });
    const deps = { ...plannerDeps, storage: { forSource: () => down } };
    const { jobId, submitted } = await submit("s3://media/talk.mp4");
    await expect(planSubmittedJob(deps, submitted)).rejects.toThrow(SourceStorageUnavailable);
    expect((await eventsOf(jobId)).map((e) => e.type)).toEqual(["JobSubmitted"]);
    await down.close();
  });

  it("fails a job whose s3:// source needs storage-s3 when it is not enabled", async () => {
    const { jobId, submitted } = await submit("s3://media/talk.mp4");
    await planSubmittedJob(plannerDeps, submitted);
    const events = await eventsOf(jobId);
    expect(events.map((e) => e.type)).toEqual(["JobSubmitted", "JobFailed"]);
    expect(events[1]?.data).toMatchObject({
      code: "WE-JOB-002",
      message: expect.stringMatching(/storage-s3/),
    });
  });

  it("does nothing for a job cancelled before it was planned", async () => {
    const { jobId, submitted } = await submit("fs://clip.mp4");
    const context = reactionContext({ id: randomUUID() });
    await executeJobCommand(
      { store, newId: randomUUID, now: () => new Date() },
      jobId,
      { type: "CancelJob", data: {} },
      context,
    );
    await planSubmittedJob(plannerDeps, submitted);
    expect((await eventsOf(jobId)).map((e) => e.type)).toEqual(["JobSubmitted", "JobCancelled"]);
  });
});

describe("task ids", () => {
  it("are UUID v5 values fixed by the job and the index", () => {
    const jobId = randomUUID();
    expect(taskIdOf(jobId, 0)).toBe(taskIdOf(jobId.toUpperCase(), 0));
    expect(taskIdOf(jobId, 0)).not.toBe(taskIdOf(jobId, 1));
    expect(taskIdOf(jobId, 0)).not.toBe(taskIdOf(randomUUID(), 0));
    expect(taskIdOf(jobId, 0)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe("source metadata", () => {
  it("takes the average rate of a variable-rate source and fills what the container left out", () => {
    const info = sourceInfoFixture("/m/a.mp4");
    const vfr = {
      ...info,
      video: { ...info.video, variableFrameRate: true, avgFrameRate: "2997/100", pixFmt: null },
    };
    expect(sourceMetadataOf(vfr, null)).toEqual({
      durationSec: 2,
      format: "mov,mp4,m4a,3gp,3g2,mj2",
      sizeBytes: 0,
      video: {
        codec: "h264",
        width: 320,
        height: 240,
        fps: 29.97,
        rotation: 0,
        vfr: true,
        pixFmt: "unknown",
      },
      audio: { codec: "aac", channels: 2, sampleRate: 48_000 },
    });
  });
});
