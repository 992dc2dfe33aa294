// A session's recording archived through the real platform (kernel, encode workers, ffmpeg, Postgres):
// with archive on, its end makes one VOD job (source_type stream) that completes; a repeat of the end
// makes no second job; with archive off, none at all.
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveJobId } from "../../domain/stream/archiveJobId.ts";
import { recordingKeys } from "../../domain/stream/recordingKeys.ts";
import { openDatabase, type PlatformDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig, type PlatformConfig } from "../../infra/platform/platformConfig.ts";
import { type Kernel, startKernel } from "../../infra/platform/startKernel.ts";
import { startWorkers } from "../../infra/platform/startWorkers.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import type { StreamDetail, StreamKeyResponse } from "../../schemas/api/streamResponses.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { until } from "../../test/support/kernelApi.ts";
import { makeClip } from "../../test/support/mediaClip.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import type { EncodeWorker } from "../../workers/encode/encodeWorker.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let workers: EncodeWorker[] = [];
let config: PlatformConfig;
let dir: string;
let headers: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-archive-"));
  await chmod(dir, 0o755);
  database = await createTestDatabase("stream_archive");
  config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") }, {});
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  const queue = createMemoryWorkQueue();
  const bus = createMemoryProgressBus();
  kernel = await startKernel(config, db, queue, bus, () => {});
  workers = await startWorkers(config, db.store, queue, bus, () => {});
  const issued = await kernel.tokens.issue(
    { name: "op", role: "operator" },
    { userId: "system", role: "system" },
  );
  if (issued._tag !== "Issued") throw new Error(issued._tag);
  headers = { authorization: `Bearer ${issued.token}`, "content-type": "application/json" };
}, 60_000);
afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const getJson = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const response = await fetch(`${kernel.url}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as T };
};

/** A stream with one session that ended with a small recording in job storage. */
async function endedSession(archive: boolean) {
  const created = await fetch(`${kernel.url}/v1/streams`, {
    method: "POST",
    headers,
    body: JSON.stringify({ title: "Archived", archive_enabled: archive }),
  });
  const { id, stream_key } = (await created.json()) as StreamKeyResponse;
  const admitted = await kernel.liveSessions.admit({
    protocol: "rtmp",
    streamKey: stream_key,
    remoteAddress: "10.0.0.9",
  });
  if (admitted._tag !== "Allowed") throw new Error(admitted.reason);
  expect(admitted.record).toBe(archive);
  const objectKey = recordingKeys(id, admitted.sessionId).recording;
  const file = join(config.storageDir, objectKey);
  await mkdir(dirname(file), { recursive: true });
  await makeClip(file, { seconds: 2, width: 160, height: 120 });
  const recording = { objectKey, durationSeconds: 2, bytes: 1, segments: 1 };
  await kernel.liveSessions.ended(id, admitted.sessionId, { reason: "publisher left", recording });
  return { id, sessionId: admitted.sessionId, recording };
}

describe("archive of a live recording", () => {
  it("submits one VOD job from the recording, which completes, and notes it on the session", async () => {
    const { id, sessionId, recording } = await endedSession(true);
    const jobId = archiveJobId(id, sessionId);
    const session = await until(
      () => getJson<StreamDetail>(`/v1/streams/${id}`),
      (answer) => answer.body.sessions[0]?.archive_job_id === jobId,
      "archive job noted on the session",
      30_000,
    );
    expect(session.body.sessions[0]).toMatchObject({
      id: sessionId,
      recording: { object_key: recording.objectKey },
    });
    const job = await until(
      () => getJson<{ status: string; source_type: string; profile: string }>(`/v1/jobs/${jobId}`),
      (answer) => answer.body.status === "completed" || answer.body.status === "failed",
      "archive job finished",
      120_000,
    );
    expect(job.body).toMatchObject({ status: "completed", source_type: "stream" });
    // the ingest reporting the end again: no second recording, no second job
    await kernel.liveSessions.ended(id, sessionId, { reason: "again", recording });
    const submitted = (await db.store.readAll({ from: "start", maxCount: 10_000 })).filter(
      (event) => event.type === "JobSubmitted" && jobStream.matches(event.streamId),
    );
    expect(submitted.map((event) => event.streamId)).toEqual([jobStream.name(jobId)]);
  }, 180_000);

  it("submits nothing for a session of a stream with archive off", async () => {
    const { id, sessionId } = await endedSession(false);
    const shown = await until(
      () => getJson<StreamDetail>(`/v1/streams/${id}`),
      (answer) => answer.body.sessions[0]?.status === "ended",
      "session ended",
      10_000,
    );
    expect(shown.body.sessions[0]).toMatchObject({ id: sessionId, recording: null, archive_job_id: null });
    expect((await getJson(`/v1/jobs/${archiveJobId(id, sessionId)}`)).status).toBe(404);
  });
});
