import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";
import type { JobCommand } from "../../domain/job/commands.ts";
import { finalOutputKey, jobWorkFolder } from "../../domain/job/jobFileKeys.ts";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { sourceInfoFixture } from "../../test/support/createFakeEncoder.ts";
import { type FsMediaStorage, fsMediaStorage } from "../../test/support/fsMediaStorage.ts";
import { uploadingOneTaskJob } from "../../test/support/startedJob.ts";
import { reactionContext } from "../reactionContext.ts";
import { taskIdOf } from "../taskIdOf.ts";
import { sourceMetadataOf } from "./jobPlanner.ts";
import { publishJobOutput } from "./outputPublisher.ts";

let storageRoot: string;
let store: EventStore;
let storage: FsMediaStorage;
const context = reactionContext({ id: randomUUID() });

beforeEach(async () => {
  storageRoot = await mkdtemp(join(tmpdir(), "output-publisher-unit-"));
  store = createMemoryEventStore();
  storage = await fsMediaStorage({ storageRoot });
});
afterEach(async () => {
  await storage.close();
  await rm(storageRoot, { recursive: true, force: true });
});

const uploadingJob = (bytes: string) => uploadingOneTaskJob(store, context, storageRoot, bytes);

const publisherDeps = () => ({
  jobs: createJobCommands({ store, newId: randomUUID, now: () => new Date() }),
  storage,
});

describe("output publisher", () => {
  it("moves the task output into outputs/ and completes the job; a redelivery changes nothing", async () => {
    const { jobId, uploading } = await uploadingJob("final bytes");
    await publishJobOutput(publisherDeps(), uploading);
    await publishJobOutput(publisherDeps(), uploading);

    const events = await store.readStream(jobStream.name(jobId));
    expect(events.filter((e) => e.type === "JobCompleted")).toHaveLength(1);
    expect(events.at(-1)?.data).toEqual({
      outputs: [
        {
          name: `${jobId}_final.mp4`,
          type: "final",
          key: finalOutputKey(jobId),
          sizeBytes: 11,
          checksum: `sha256:${createHash("sha256").update("final bytes").digest("hex")}`,
          profile: "480p_fast",
        },
      ],
    });
    expect(await readFile(join(storageRoot, finalOutputKey(jobId)), "utf8")).toBe("final bytes");
    // the job's work folder is gone, and the folders it emptied with it
    expect(existsSync(join(storageRoot, "work"))).toBe(false);
  });

  it("completes a job whose output was moved before a crash, and never publishes an altered output", async () => {
    const moved = await uploadingJob("moved");
    await mkdir(join(storageRoot, "outputs", moved.jobId), { recursive: true });
    await writeFile(join(storageRoot, finalOutputKey(moved.jobId)), "moved");
    await rm(moved.outputPath);
    await publishJobOutput(publisherDeps(), moved.uploading);
    expect((await store.readStream(jobStream.name(moved.jobId))).at(-1)?.type).toBe("JobCompleted");

    const altered = await uploadingJob("original");
    await writeFile(altered.outputPath, "tampered");
    await publishJobOutput(publisherDeps(), altered.uploading);
    const failed = (await store.readStream(jobStream.name(altered.jobId))).at(-1);
    expect(failed?.type).toBe("JobFailed");
    expect(failed?.data).toMatchObject({ code: "WE-STO-001", message: expect.stringMatching(/altered/) });
    expect(await readdir(join(storageRoot, "outputs"))).toEqual([moved.jobId]);
    // the work directory stays for an operator to look at; a redelivery changes nothing
    expect(await readFile(altered.outputPath, "utf8")).toBe("tampered");
    await publishJobOutput(publisherDeps(), altered.uploading);
    expect(
      (await store.readStream(jobStream.name(altered.jobId))).filter((e) => e.type === "JobFailed"),
    ).toHaveLength(1);
  });

  it("fails a job whose output went missing, instead of leaving it uploading", async () => {
    const missing = await uploadingJob("bytes");
    await rm(missing.outputPath);
    await publishJobOutput(publisherDeps(), missing.uploading);
    expect((await store.readStream(jobStream.name(missing.jobId))).at(-1)).toMatchObject({
      type: "JobFailed",
      data: { code: "WE-STO-001" },
    });
  });
});

describe("output publisher, for a ladder's package", () => {
  const sha = (bytes: string) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

  /** A ladder job (one rendition, audio, thumbnails, package) whose tasks completed with files in storage. */
  async function uploadingPackagedJob(tamper?: (root: string, jobId: string) => Promise<void>) {
    const deps = { store, newId: randomUUID, now: () => new Date() };
    const jobId = randomUUID();
    const [video, audio, thumbs, pkg] = [0, 1, 2, 3].map((i) => taskIdOf(jobId, i)) as [
      string,
      string,
      string,
      string,
    ];
    const run = async (command: JobCommand) => {
      const result = await executeJobCommand(deps, jobId, command, context);
      if (result._tag === "JobRejected") throw new Error(`${command.type}: ${result.message}`);
    };
    const whole = { startTimeSec: 0, endTimeSec: 2 };
    await run({
      type: "SubmitJob",
      data: {
        jobId,
        userId: "u",
        sourceType: "upload",
        sourceUrl: "fs://a.mp4",
        profileId: "hls_abr_3tier",
        outputConfig: {},
      },
    });
    await run({ type: "RecordProbe", data: sourceMetadataOf(sourceInfoFixture("a"), 1) });
    await run({
      type: "PlanJob",
      data: {
        tasks: [
          { taskId: video, sequenceIndex: 0, ...whole, kind: "video", rendition: "360p", dependsOn: [] },
          { taskId: audio, sequenceIndex: 1, ...whole, kind: "audio", dependsOn: [] },
          { taskId: thumbs, sequenceIndex: 2, ...whole, kind: "thumbnails", dependsOn: [] },
          { taskId: pkg, sequenceIndex: 3, ...whole, kind: "package", dependsOn: [video, audio] },
        ],
      },
    });
    const write = async (key: string, bytes: string) => {
      await mkdir(dirname(join(storageRoot, key)), { recursive: true });
      await writeFile(join(storageRoot, key), bytes);
      return { key, sizeBytes: Buffer.byteLength(bytes), checksum: sha(bytes) };
    };
    const complete = async (
      taskId: string,
      files: Record<string, string>,
      listed: Record<string, string>,
    ) => {
      await run({ type: "StartTask", data: { taskId, attempt: 1, workerId: "w" } });
      const prefix = `${jobWorkFolder(jobId)}/${taskId}/1`;
      const stored = await Promise.all(
        Object.entries(files).map(([name, bytes]) => write(`${prefix}/${name}`, bytes)),
      );
      const recorded = Object.entries(listed).map(([name, type]) => {
        const file = stored.find((s) => s.key === `${prefix}/${name}`)!;
        return {
          name,
          type: type as "manifest",
          key: file.key,
          sizeBytes: file.sizeBytes,
          checksum: file.checksum,
        };
      });
      const first = recorded[0] ?? {
        key: stored[0]!.key,
        sizeBytes: stored[0]!.sizeBytes,
        checksum: stored[0]!.checksum,
      };
      await run({
        type: "CompleteTask",
        data: {
          taskId,
          attempt: 1,
          outputKey: first.key,
          sizeBytes: first.sizeBytes,
          checksum: first.checksum,
          durationSec: 2,
          ...(recorded.length === 0
            ? {}
            : {
                files: recorded,
                folder: {
                  prefix,
                  fileCount: stored.length,
                  sizeBytes: stored.reduce((n, s) => n + s.sizeBytes, 0),
                },
              }),
        },
      });
    };
    await complete(video, { "v.mp4": "rendition 360p" }, {});
    await complete(audio, { "a.mp4": "audio" }, {});
    await complete(
      thumbs,
      { "poster.jpg": "poster", "storyboard.vtt": "WEBVTT", "sprite-0.jpg": "sprite" },
      {
        "poster.jpg": "thumbnail",
        "storyboard.vtt": "storyboard",
        "sprite-0.jpg": "storyboard",
      },
    );
    await tamper?.(storageRoot, jobId);
    await complete(
      pkg,
      {
        "master.m3u8": "#EXTM3U master",
        "manifest.mpd": "<MPD/>",
        "video/360p/index.m3u8": "#EXTM3U media",
        "video/360p/init.mp4": "init",
        "video/360p/seg_00001.m4s": "segment one",
        "video/360p/seg_00002.m4s": "segment two",
      },
      { "master.m3u8": "manifest", "manifest.mpd": "manifest", "video/360p/index.m3u8": "rendition" },
    );
    const uploading = (await store.readStream(jobStream.name(jobId))).find(
      (e) => e.type === "JobUploadingStarted",
    );
    return { jobId, pkg, uploading: uploading! };
  }

  it("publishes the manifests, playlists, segments and thumbnails under outputs/, lists them by type, and sweeps the work folder", async () => {
    const { jobId, uploading } = await uploadingPackagedJob();
    await publishJobOutput(publisherDeps(), uploading);
    const { state } = await publisherDeps().jobs.load(jobId);
    if (state.status === "initial") throw new Error("no job");
    expect(state.status).toBe("completed");
    expect(state.outputs.map((o) => [o.name, o.type])).toEqual([
      ["thumbnails/poster.jpg", "thumbnail"],
      ["thumbnails/storyboard.vtt", "storyboard"],
      ["thumbnails/sprite-0.jpg", "storyboard"],
      ["package/master.m3u8", "manifest"],
      ["package/manifest.mpd", "manifest"],
      ["package/video/360p/index.m3u8", "rendition"],
    ]);
    const out = join(storageRoot, "outputs", jobId);
    expect(await readFile(join(out, "package", "video", "360p", "seg_00002.m4s"), "utf8")).toBe(
      "segment two",
    );
    expect(await readFile(join(out, "package", "master.m3u8"), "utf8")).toBe("#EXTM3U master");
    expect(existsSync(join(storageRoot, jobWorkFolder(jobId)))).toBe(false);
    // a redelivery finds everything in place
    await publishJobOutput(publisherDeps(), uploading);
    expect((await readdir(join(out, "package", "video", "360p"))).sort()).toEqual([
      "index.m3u8",
      "init.mp4",
      "seg_00001.m4s",
      "seg_00002.m4s",
    ]);
  });

  it("fails the job (WE-STO-001) when a segment changed after its package was recorded, and keeps the work folder", async () => {
    const { jobId, pkg, uploading } = await uploadingPackagedJob();
    await writeFile(
      join(storageRoot, jobWorkFolder(jobId), pkg, "1", "video", "360p", "seg_00001.m4s"),
      "segment one, altered",
    );
    await publishJobOutput(publisherDeps(), uploading);
    const { state } = await publisherDeps().jobs.load(jobId);
    if (state.status === "initial") throw new Error("no job");
    expect(state.status).toBe("failed");
    expect(state.failure?.code).toBe("WE-STO-001");
    expect(existsSync(join(storageRoot, jobWorkFolder(jobId)))).toBe(true);
  });
});
