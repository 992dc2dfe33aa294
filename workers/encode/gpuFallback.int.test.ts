// A worker on a GPU machine whose GPU breaks after start: it proved h264_nvenc, the job asks for the GPU,
// NVENC fails at run time and the task still completes, encoded in software. Real Postgres event store,
// the real ffmpeg behind a stand-in that fails like a broken GPU when asked for h264_nvenc.
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import { builtInProfiles } from "../../plugins/encoder-ffmpeg/builtInProfiles.ts";
import { createFfmpegEncoder } from "../../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import type { EncodeProfile, EncoderPlugin } from "../../plugins/sdk/encoderPlugin.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { type BrokenGpuFfmpeg, writeBrokenGpuFfmpeg } from "../../test/support/brokenGpuFfmpeg.ts";
import { createRecordingProgressBus } from "../../test/support/createRecordingProgressBus.ts";
import { type FsMediaStorage, fsMediaStorage } from "../../test/support/fsMediaStorage.ts";
import { inspectMedia } from "../../test/support/inspectMedia.ts";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { reactionContext } from "../reactionContext.ts";
import { dispatchScheduledTask } from "../reactors/dispatcher.ts";
import { sourceMetadataOf } from "../reactors/jobPlanner.ts";
import { taskIdOf } from "../taskIdOf.ts";
import { type EncodeWorker, startEncodeWorker } from "./encodeWorker.ts";
import { machineCapabilities } from "./machineCapabilities.ts";

let dir: string;
let database: TestDatabase;
let store: PostgresEventStore;
let storage: FsMediaStorage;
let ffmpeg: BrokenGpuFfmpeg;
let encoder: EncoderPlugin;
let worker: EncodeWorker;
const queue = createMemoryWorkQueue({ ackWaitMs: 10_000 });
const logged: string[] = [];
const deps = () => ({ store, newId: randomUUID, now: () => new Date() });
const context = reactionContext({ id: randomUUID() });

/** A profile that asks for hardware itself ("auto"), for the cases where the job says nothing. */
const gpuProfile: EncodeProfile = { ...builtInProfiles["480p_fast"], name: "480p_gpu", hardware: "auto" };
/** A codec this worker proved no encoder for. */
const av1Profile: EncodeProfile = {
  ...builtInProfiles["480p_fast"],
  name: "480p_av1",
  video: { ...builtInProfiles["480p_fast"].video, codec: "av1", preset: "12", profile: undefined },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gpu-fallback-"));
  await mkdir(join(dir, "media"));
  await makeTestClip(join(dir, "media"), "clip.mp4", { durationSec: 1, audio: ["sine"] });
  ffmpeg = await writeBrokenGpuFfmpeg(dir);
  database = await createTestDatabase("gpufallback");
  store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 100 });
  storage = await fsMediaStorage({ mediaRoot: join(dir, "media"), storageRoot: join(dir, "storage") });
  encoder = createFfmpegEncoder({
    stateDir: join(dir, "state"),
    ffmpegPath: ffmpeg.path,
    // what it proved at start, while the GPU still worked
    capabilities: {
      encoders: [
        { name: "h264_nvenc", codec: "h264", hardware: true },
        { name: "libx264", codec: "h264", hardware: false },
      ],
      hwaccels: ["cuda"],
      audioCodecs: ["aac"],
      containers: ["mp4"],
    },
  });
  worker = await startEncodeWorker({
    workerId: `w-gpu-${randomUUID().slice(0, 8)}`,
    jobs: createJobCommands(deps()),
    store,
    queue,
    progressBus: createRecordingProgressBus(),
    encoder,
    profiles: { ...builtInProfiles, [gpuProfile.name]: gpuProfile, [av1Profile.name]: av1Profile },
    storage,
    scratchDir: join(dir, "scratch"),
    machine: machineCapabilities([{ vendor: "nvidia", model: "Stand-in GPU" }], "test"),
    ackWaitMs: 10_000,
    newId: randomUUID,
    now: () => new Date(),
    log: (level, message) => logged.push(`${level}: ${message}`),
  });
});
afterAll(async () => {
  await worker?.stop();
  await queue.close();
  await storage?.close();
  await store?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Submits, probes, plans (one task) and dispatches a job, then waits for its task to end. */
async function runJob(profileId: string, preferGpu: boolean | undefined) {
  const jobId = randomUUID();
  const taskId = taskIdOf(jobId, 0);
  const submitted = {
    jobId,
    userId: "u-1",
    sourceType: "upload" as const,
    sourceUrl: "fs://clip.mp4",
    profileId,
    outputConfig: {},
    ...(preferGpu === undefined ? {} : { preferGpu }),
  };
  await executeJobCommand(deps(), jobId, { type: "SubmitJob", data: submitted }, context);
  const info = await encoder.probe(join(dir, "media", "clip.mp4"));
  if (info._tag !== "SourceInfo") throw new Error(info.message);
  await executeJobCommand(
    deps(),
    jobId,
    { type: "RecordProbe", data: sourceMetadataOf(info, null) },
    context,
  );
  const tasks = [{ taskId, sequenceIndex: 0, startTimeSec: 0, endTimeSec: info.durationSec }];
  await executeJobCommand(deps(), jobId, { type: "PlanJob", data: { tasks } }, context);
  const callsBefore = (await ffmpeg.calls()).length;
  for (const event of await store.readStream(jobStream.name(jobId))) {
    if (event.type === "TaskScheduled") await dispatchScheduledTask({ queue }, event);
  }
  const deadline = Date.now() + 45_000;
  for (;;) {
    const events = await store.readStream(jobStream.name(jobId));
    const ended = events.find((e) => e.type === "TaskCompleted" || e.type === "TaskFailed");
    if (ended) {
      const encoders = (await ffmpeg.calls())
        .slice(callsBefore)
        .flatMap((args) => /-c:v (\S+)/.exec(args)?.[1] ?? []);
      return { jobId, ended, encoders };
    }
    if (Date.now() > deadline) throw new Error(`job ${jobId}: its task did not end`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a job that asks for the GPU on a worker whose GPU breaks at run time", () => {
  it("completes in software after NVENC fails, and the worker logs the fallback", async () => {
    const { jobId, ended, encoders } = await runJob("480p_fast", true);
    expect(ended.type).toBe("TaskCompleted");
    // prefer_gpu chose NVENC over the profile's "off"; it failed and libx264 made the output
    expect(encoders).toEqual(["h264_nvenc", "libx264"]);
    expect(logged).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^warn: .*job ${jobId} .*h264_nvenc failed \\(transient: .*Error submitting video frame.*\\); encoded in software with libx264$`,
        ),
      ),
    );
    const output = await inspectMedia(join(dir, "storage", String(ended.data.outputKey)));
    expect(output.streams.find((s) => s.codec_type === "video")).toMatchObject({ codec_name: "h264" });
  });

  it("honours prefer_gpu over the profile either way, and the profile's hardware mode when the job says nothing", async () => {
    expect((await runJob("480p_fast", undefined)).encoders).toEqual(["libx264"]);
    expect((await runJob(gpuProfile.name, false)).encoders).toEqual(["libx264"]);
    const auto = await runJob(gpuProfile.name, undefined);
    expect(auto.ended.type).toBe("TaskCompleted");
    expect(auto.encoders).toEqual(["h264_nvenc", "libx264"]);
  });

  it("runs no encoder it did not prove: a codec without a proven encoder fails the attempt as passing, with the reason", async () => {
    const { ended, encoders } = await runJob(av1Profile.name, true);
    expect(encoders).toEqual([]);
    expect(ended).toMatchObject({
      type: "TaskFailed",
      data: { exitClass: "transient", message: "no av1 encoder passed its test encode on this worker" },
    });
  });
});
