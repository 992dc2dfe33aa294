// s3:// sources end to end through the planner: the object is read by ffprobe through a presigned URL
// at the storage endpoint (on loopback here, so only the egress proxy's storage allowance lets it
// through), keeps the single-media-file allow-list, and a missing object fails the job with a hint.
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobCommands } from "../commands/jobs/createJobCommands.ts";
import { createEgressProxy, type EgressProxy } from "../infra/egress/createEgressProxy.ts";
import { createMemoryEventStore } from "../infra/eventstore/memory/memoryEventStore.ts";
import { createFfmpegEncoder } from "../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import type { StorageProvider } from "../plugins/sdk/storageProvider.ts";
import { createS3Storage } from "../plugins/storage-s3/index.ts";
import { jobStream } from "../schemas/events/streamNames.ts";
import { makeTestClip } from "../test/support/makeTestClip.ts";
import { type S3rverProcess, startS3rver } from "../test/support/s3rverProcess.ts";
import { reactionContext } from "./reactionContext.ts";
import { type JobPlannerDeps, planSubmittedJob } from "./reactors/jobPlanner.ts";

let dir: string;
let s3: S3rverProcess;
let bucket: StorageProvider;
let egress: EgressProxy;
let clipBytes: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-s3-source-"));
  s3 = await startS3rver();
  bucket = createS3Storage({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    force_path_style: true,
    access_key_id: s3.accessKeyId,
    secret_access_key: s3.secretAccessKey,
  });
  clipBytes = await readFile(await makeTestClip(dir, "clip.mp4", { durationSec: 2 }));
  await bucket.put({ key: "in/clip.mp4" }, Readable.from([clipBytes]));
  await bucket.put(
    { key: "in/list.m3u8" },
    Readable.from([
      `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${s3.endpoint}/${s3.bucket}/in/clip.mp4\n#EXT-X-ENDLIST\n`,
    ]),
  );
  egress = createEgressProxy({ storageOrigins: [s3.endpoint] });
}, 60_000);

afterAll(async () => {
  await egress?.close();
  await bucket?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function plan(sourceUrl: string) {
  const store = createMemoryEventStore();
  const deps: JobPlannerDeps = {
    jobs: createJobCommands({ store, newId: randomUUID, now: () => new Date() }),
    encoder: createFfmpegEncoder({ stateDir: join(dir, "state"), egress }),
    storage: { forSource: (url) => (url.startsWith("s3://") ? bucket : null) },
  };
  const jobId = randomUUID();
  const data = {
    jobId,
    userId: "u",
    sourceType: "url" as const,
    sourceUrl,
    profileId: "480p_fast",
    outputConfig: {},
  };
  await deps.jobs.execute(jobId, { type: "SubmitJob", data }, reactionContext({ id: randomUUID() }));
  const [submitted] = await store.readStream(jobStream.name(jobId));
  await planSubmittedJob(deps, submitted!);
  return store.readStream(jobStream.name(jobId));
}

describe("s3:// sources", () => {
  it("probes an object through a presigned URL and plans the job, with the object's stored size", async () => {
    const events = await plan(`s3://${s3.bucket}/in/clip.mp4`);
    expect(events.map((e) => e.type)).toEqual([
      "JobSubmitted",
      "JobSourceProbed",
      "JobPlanned",
      "TaskScheduled",
    ]);
    expect(events[1]?.data).toMatchObject({ durationSec: 2, sizeBytes: clipBytes.length });
  });

  it("refuses a playlist object before it opens a segment: WE-JOB-007", async () => {
    const events = await plan(`s3://${s3.bucket}/in/list.m3u8`);
    expect(events.map((e) => e.type)).toEqual(["JobSubmitted", "JobFailed"]);
    expect(events[1]?.data).toMatchObject({
      code: "WE-JOB-007",
      message: expect.stringMatching(/not a single media file/),
    });
  });

  it("fails a job whose object does not exist with WE-JOB-002 and a hint", async () => {
    const events = await plan(`s3://${s3.bucket}/in/none.mp4`);
    expect(events.map((e) => e.type)).toEqual(["JobSubmitted", "JobFailed"]);
    expect(events[1]?.data).toMatchObject({
      code: "WE-JOB-002",
      message: expect.stringMatching(/does not exist.*upload the file first/),
    });
  });
});
