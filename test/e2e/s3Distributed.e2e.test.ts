// Distributed mode with nothing shared but an S3 bucket: one `webencode kernel` and two `webencode
// worker` processes, each with its own empty data and media folder, on PostgreSQL and NATS JetStream,
// with the job storage in storage-s3 (an S3 server the test starts). The source is an s3:// object; the
// worker holding the task is killed with -9; the job completes once and its output lies in the bucket.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finalOutputKey } from "../../domain/job/jobFileKeys.ts";
import { readSse } from "../../infra/cli/apiClient.ts";
import { isStorageFailure, type StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { createS3Storage } from "../../plugins/storage-s3/index.ts";
import { makeClip, probe } from "../support/mediaClip.ts";
import { startNatsServer, type TestNatsServer } from "../support/natsServer.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";
import { type S3rverProcess, s3PluginsToml, startS3rver } from "../support/s3rverProcess.ts";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.ts";

let dir: string;
let database: TestDatabase;
let nats: TestNatsServer;
let s3: S3rverProcess;
let bucket: StorageProvider;
const processes: PlatformProcess[] = [];
const natsPrefix = `we${randomBytes(4).toString("hex")}`;
const adminToken = `we-s3dist-${randomBytes(16).toString("hex")}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-s3dist-"));
  await chmod(dir, 0o755);
  [database, nats, s3] = await Promise.all([createTestDatabase("s3dist"), startNatsServer(), startS3rver()]);
  bucket = createS3Storage({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    force_path_style: true,
    access_key_id: s3.accessKeyId,
    secret_access_key: s3.secretAccessKey,
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill("SIGKILL")));
  await bucket?.close();
  await s3?.stop();
  await nats?.stop();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** A process on a data and media folder of its own, which nothing else ever reads or writes. */
async function start(mode: "kernel" | "worker", name: string): Promise<PlatformProcess> {
  const home = join(dir, name);
  await mkdir(join(home, "data"), { recursive: true });
  await mkdir(join(home, "media"), { recursive: true });
  await writeFile(join(home, "data", "plugins.toml"), `${s3PluginsToml(s3)}\n`);
  const env = {
    DATABASE_URL: database.url,
    NATS_URL: nats.url,
    WEBENCODE_NATS_PREFIX: natsPrefix,
    WEBENCODE_ADMIN_TOKEN: adminToken,
    WEBENCODE_SECRET: "shared-by-every-kernel-of-this-installation",
    WEBENCODE_ACK_WAIT_MS: "3000",
  };
  const started = await startPlatform(join(home, "data"), join(home, "media"), env, {
    mode,
    args: ["--job-storage", "s3"],
  });
  processes.push(started);
  return started;
}

const sha256 = async (path: string): Promise<string> => {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
};

/** Every file under `folder`, however deep. */
const filesUnder = async (folder: string): Promise<string[]> =>
  (await readdir(folder, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));

describe("distributed with S3 storage only: kernel + 2 workers, no shared folder", () => {
  it("encodes an s3:// source into the bucket once although the worker holding the task is killed with -9", async () => {
    const clip = join(dir, "upload", "talk.mp4");
    await mkdir(join(dir, "upload"));
    await makeClip(clip, { seconds: 12, width: 1280, height: 720 });
    const sourceHash = await sha256(clip);
    const uploaded = await bucket.put({ key: "sources/talk.mp4" }, createReadStream(clip), {
      contentType: "video/mp4",
    });
    if (isStorageFailure(uploaded)) throw new Error(uploaded.message);
    await rm(join(dir, "upload"), { recursive: true });

    const kernel = await start("kernel", "kernel");
    const workerA = await start("worker", "worker-a");
    const workerB = await start("worker", "worker-b");
    const auth = { authorization: `Bearer ${adminToken}` };

    // a missing object is refused at once, with its code and a hint
    const missing = await fetch(`${kernel.url}/v1/jobs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ source_url: `s3://${s3.bucket}/sources/none.mp4`, profile: "720p_h264" }),
    });
    expect(missing.status).toBe(400);
    const refusal = (await missing.json()) as { error: { code: string; details?: string } };
    expect(refusal.error.code).toBe("WE-JOB-002");

    const submitted = await fetch(`${kernel.url}/v1/jobs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ source_url: uploaded.url, profile: "720p_h264" }),
    });
    expect(submitted.status).toBe(201);
    const { id } = (await submitted.json()) as { id: string };

    const feed = await fetch(`${kernel.url}/v1/events/stream?job=${id}&from=start`, { headers: auth });
    const events: Array<{ event: string; data: Record<string, unknown> }> = [];
    let killed: PlatformProcess | undefined;
    let killedId: string | undefined;
    let endedAt = "0";
    for await (const message of readSse(feed)) {
      if (!message.data) continue;
      const data = JSON.parse(message.data) as Record<string, unknown>;
      events.push({ event: message.event, data });
      if (message.event === "progress" && !killed) {
        // kill the worker that holds the task, mid-encode
        const started = events.find((e) => e.event === "TaskStarted")!.data.data as { worker_id: string };
        killedId = started.worker_id;
        killed = [workerA, workerB].find((w) => w.output().includes(`worker ${killedId} started`));
        expect(killed).toBeDefined();
        await killed!.kill("SIGKILL");
      }
      if (message.event === "JobCompleted" || message.event === "JobFailed") {
        endedAt = message.id ?? "0";
        break;
      }
    }
    const types = events.map((e) => e.event);
    expect(killed).toBeDefined();
    expect(types.at(-1)).toBe("JobCompleted");
    expect(types.filter((t) => t === "JobCompleted")).toHaveLength(1);
    const completedTasks = events.filter((e) => e.event === "TaskCompleted");
    expect(completedTasks).toHaveLength(1);
    const failed = events.find((e) => e.event === "TaskFailed")?.data.data as { message: string } | undefined;
    expect(failed?.message).toMatch(/worker lost/);
    const startedBy = events
      .filter((e) => e.event === "TaskStarted")
      .map((e) => e.data.data as { worker_id: string; attempt: number });
    const winner = startedBy.at(-1)!;
    expect(winner.worker_id).not.toBe(killedId); // the survivor finished it
    // the one TaskCompleted is the winning attempt's, and its work file went through the bucket
    expect(completedTasks[0]!.data.data).toMatchObject({ attempt: winner.attempt });

    // the output is in the bucket, listed by the API under its key, and plays
    // read-your-writes: the outputs once the read model holds the job's end
    const outputsUrl = `${kernel.url}/v1/jobs/${id}/outputs?min_position=${endedAt}`;
    const listed = (await (await fetch(outputsUrl, { headers: auth })).json()) as {
      outputs: Array<{ url: string; size_bytes: number; checksum: string; download_url: string }>;
    };
    expect(listed.outputs.map((o) => o.url)).toEqual([finalOutputKey(id)]);
    // the API's own link: a presigned URL of the bucket, not a path on the kernel
    const link = new URL(listed.outputs[0]!.download_url);
    expect(link.origin).toBe(new URL(s3.endpoint).origin);
    expect(link.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    const download = await fetch(link);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.length).toBe(listed.outputs[0]!.size_bytes);
    expect(`sha256:${createHash("sha256").update(bytes).digest("hex")}`).toBe(listed.outputs[0]!.checksum);
    const downloaded = join(dir, "downloaded.mp4");
    await writeFile(downloaded, bytes);
    const result = await probe(downloaded);
    expect(result.video).toMatchObject({ codec: "h264", width: 1280, height: 720 });
    expect(Math.abs(result.durationSec - 12)).toBeLessThanOrEqual(0.1);
    const outputHash = await sha256(downloaded);
    await rm(downloaded);

    // the work prefix is gone from the bucket once the output is published
    const work = await bucket.list({ prefix: `work/${id}/` });
    expect(work).toMatchObject({ _tag: "ListPage", objects: [] });

    // the killed worker comes back on its own folders and reaps what its orphaned ffmpeg left there
    await start("worker", killed === workerA ? "worker-a" : "worker-b");
    // nothing that passed between the processes lies in any of their folders: only the bucket held it
    for (const name of ["kernel", "worker-a", "worker-b"]) {
      for (const file of await filesUnder(join(dir, name))) {
        const hash = await sha256(file);
        expect(hash, `${file} holds the source`).not.toBe(sourceHash);
        expect(hash, `${file} holds the output`).not.toBe(outputHash);
      }
    }
  }, 300_000);
});
