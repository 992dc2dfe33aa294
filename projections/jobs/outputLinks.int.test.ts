// Output download links come from the job storage: with storage-s3 as the job storage, GET
// /v1/jobs/{id}/outputs hands out presigned bucket URLs that serve the output and its ranges without the
// kernel, and the kernel's own download route grants nothing.
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finalOutputKey } from "../../domain/job/jobFileKeys.ts";
import { openDatabase, type PlatformDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig } from "../../infra/platform/platformConfig.ts";
import { type Kernel, startKernel } from "../../infra/platform/startKernel.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import { createS3Storage } from "../../plugins/storage-s3/index.ts";
import { type S3rverProcess, s3PluginsToml, startS3rver } from "../../test/support/s3rverProcess.ts";
import { uploadingOneTaskJob } from "../../test/support/startedJob.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { reactionContext } from "../../workers/reactionContext.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let s3: S3rverProcess;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-output-links-"));
  await mkdir(join(dir, "media"));
  await mkdir(join(dir, "data"));
  database = await createTestDatabase("outputlinks");
  s3 = await startS3rver("webencode-outputs");
}, 60_000);
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function eventually<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

describe("output links with S3 job storage", () => {
  it("are presigned bucket URLs that serve the output and its ranges", async () => {
    const config = loadConfig(
      { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media"), "job-storage": "s3" },
      {},
    );
    await writeFile(join(config.dataDir, "plugins.toml"), s3PluginsToml(s3));
    db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
    const movie = `the encoded movie ${randomUUID()}`;
    const { jobId } = await uploadingOneTaskJob(
      db.store,
      reactionContext({ id: randomUUID() }),
      config.storageDir,
      movie,
    );
    // the output as the job storage holds it
    const bucket = createS3Storage({
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      force_path_style: true,
      access_key_id: s3.accessKeyId,
      secret_access_key: s3.secretAccessKey,
    });
    expect(
      await bucket.put({ key: finalOutputKey(jobId) }, Readable.from([Buffer.from(movie)])),
    ).toMatchObject({
      _tag: "Stored",
    });
    await bucket.close();

    kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});
    const issued = await kernel.tokens.issue(
      { name: "v", role: "viewer" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    const headers = { authorization: `Bearer ${issued.token}` };
    const completed = await eventually(async () => {
      const response = await fetch(`${kernel.url}/v1/jobs/${jobId}`, { headers });
      const job = response.status === 200 ? ((await response.json()) as { status: string }) : undefined;
      return job?.status === "completed" ? job : undefined;
    });
    expect(completed).toBeDefined();

    const outputs = (await (await fetch(`${kernel.url}/v1/jobs/${jobId}/outputs`, { headers })).json()) as {
      outputs: Array<{ download_url: string; expires_at: string }>;
    };
    const [output] = outputs.outputs;
    expect(output!.download_url.startsWith(`${s3.endpoint}/${s3.bucket}/${finalOutputKey(jobId)}?`)).toBe(
      true,
    );
    expect(new URL(output!.download_url).searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(output!.expires_at)).toBeGreaterThan(Date.now());
    const whole = await fetch(output!.download_url);
    expect(whole.status).toBe(200);
    expect(await whole.text()).toBe(movie);
    const ranged = await fetch(output!.download_url, { headers: { range: "bytes=4-10" } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe(movie.slice(4, 11));

    // the kernel's route serves storage-fs links only: with S3 job storage it grants nothing
    const kernelLink = await fetch(
      `${kernel.url}/v1/files/download?key=${encodeURIComponent(finalOutputKey(jobId))}&expires=9999999999&signature=x`,
    );
    expect(kernelLink.status).toBe(401);
  });
});
