// Uploads at full size: one file through POST /v1/files/upload into storage-fs (raw body and multipart
// form) and into storage-s3 on a local S3 protocol server (multipart form naming plugin_id), against a
// bare `cp` of the same file in the same run, and the growth of the server's resident memory while the
// bytes stream through. fs_ratio_to_cp is the slower fs upload's seconds over cp's (1 = as fast as cp);
// rss_growth_mib the highest growth of any one upload. Usage: npm run bench -- upload [size_mib] (default 2048)
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { chmod, mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { openDatabase } from "../infra/platform/openDatabase.ts";
import { loadConfig } from "../infra/platform/platformConfig.ts";
import { startKernel } from "../infra/platform/startKernel.ts";
import { createMemoryProgressBus } from "../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../infra/queue/memory/memoryWorkQueue.ts";
import { s3PluginsToml, startS3rver } from "../test/support/s3rverProcess.ts";
import { round } from "./benchDatabase.ts";

const MiB = 1024 * 1024;

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const file = await open(path, "w");
  try {
    const block = Buffer.alloc(8 * MiB);
    for (let written = 0; written < bytes; written += block.length) {
      for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
      await file.write(block, 0, Math.min(block.length, bytes - written));
    }
  } finally {
    await file.close();
  }
}

const timed = async (what: () => Promise<void>): Promise<number> => {
  const started = performance.now();
  await what();
  return (performance.now() - started) / 1000;
};

const bareCp = (from: string, to: string) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn("cp", [from, to], { stdio: "ignore" });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`cp exited ${code}`))));
  });

/** POSTs `body` of `length` bytes and resolves with the answer's body; any status but 201 rejects. */
const post = (url: string, token: string, headers: Record<string, string>, body: Readable, length: number) =>
  new Promise<string>((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: { ...headers, authorization: `Bearer ${token}`, "content-length": String(length) },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () =>
          res.statusCode === 201 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`)),
        );
      },
    );
    req.on("error", reject);
    body.pipe(req);
  });

/** A multipart form streamed from disk: its fields, then the file part, never held in memory. */
function multipartForm(path: string, size: number, fields: Record<string, string>) {
  const boundary = `----webencode-bench-${Date.now()}`;
  const head = Buffer.from(
    Object.entries(fields)
      .map(
        ([name, value]) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      )
      .join("") +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\n` +
      "Content-Type: application/octet-stream\r\n\r\n",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* parts() {
    yield head;
    yield* createReadStream(path, { highWaterMark: MiB });
    yield tail;
  }
  return {
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    body: Readable.from(parts()),
    length: head.length + size + tail.length,
  };
}

export async function run(args: string[]): Promise<number> {
  const sizeMib = Number(args[0] ?? 2048);
  const size = sizeMib * MiB;
  const dir = await mkdtemp(join(tmpdir(), "webencode-bench-upload-"));
  await chmod(dir, 0o755);
  const media = join(dir, "media");
  await mkdir(media);
  const source = join(dir, "source.bin");
  await writeRandomFile(source, size);
  const s3 = await startS3rver("webencode-bench");
  const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": media }, {});
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(join(config.dataDir, "plugins.toml"), s3PluginsToml(s3));
  const db = await openDatabase({ dataDir: config.dataDir });
  const queue = createMemoryWorkQueue();
  const bus = createMemoryProgressBus();
  const kernel = await startKernel(config, db, queue, bus, () => {});
  try {
    const issued = await kernel.tokens.issue(
      { name: "bench", role: "operator" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    const upload = `${kernel.url}/v1/files/upload`;
    const raw = () =>
      post(
        `${upload}?name=bench.bin`,
        issued.token,
        { "content-type": "application/octet-stream" },
        createReadStream(source, { highWaterMark: MiB }),
        size,
      ).then(() => undefined);
    const form = (fields: Record<string, string>) => () => {
      const { headers, body, length } = multipartForm(source, size, fields);
      return post(upload, issued.token, headers, body, length).then(() => undefined);
    };

    // warm the path with a small upload, then measure resident memory from there
    await post(`${upload}?name=warm.bin`, issued.token, {}, Readable.from([Buffer.alloc(MiB)]), MiB);
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);

    /** Seconds of `what`, and the highest resident memory above the baseline while it ran. */
    const phase = async (what: () => Promise<void>) => {
      peak = baseline;
      const seconds = await timed(what);
      return { seconds, growth: peak - baseline };
    };
    const cpSeconds = await timed(() => bareCp(source, join(dir, "copy.bin")));
    await rm(join(dir, "copy.bin"));
    const rawRun = await phase(raw);
    await rm(join(media, "uploads"), { recursive: true, force: true });
    const formRun = await phase(form({}));
    await rm(join(media, "uploads"), { recursive: true, force: true });
    const s3Run = await phase(form({ plugin_id: "storage-s3", object_key: "bench/source.bin" }));
    clearInterval(sampler);

    const [rawSeconds, formSeconds, s3Seconds] = [rawRun.seconds, formRun.seconds, s3Run.seconds];
    const fsSeconds = Math.max(rawSeconds, formSeconds);
    const growthMib = (run: { growth: number }) => round(run.growth / MiB, 1);
    const figures = {
      fs_throughput_mib_s: round(sizeMib / fsSeconds, 1),
      fs_ratio_to_cp: round(fsSeconds / cpSeconds, 2),
      s3_throughput_mib_s: round(sizeMib / s3Seconds, 1),
      rss_growth_mib: Math.max(growthMib(rawRun), growthMib(formRun), growthMib(s3Run)),
      fs_raw_rss_growth_mib: growthMib(rawRun),
      fs_multipart_rss_growth_mib: growthMib(formRun),
      s3_rss_growth_mib: growthMib(s3Run),
      fs_raw_throughput_mib_s: round(sizeMib / rawSeconds, 1),
      fs_multipart_throughput_mib_s: round(sizeMib / formSeconds, 1),
      cp_throughput_mib_s: round(sizeMib / cpSeconds, 1),
      size_mib: sizeMib,
    };
    console.log(`upload of ${sizeMib} MiB through POST /v1/files/upload (kernel and client in one process):`);
    console.log(`  bare cp                     ${figures.cp_throughput_mib_s} MiB/s`);
    console.log(`  storage-fs, raw body        ${figures.fs_raw_throughput_mib_s} MiB/s`);
    console.log(`  storage-fs, multipart form  ${figures.fs_multipart_throughput_mib_s} MiB/s`);
    console.log(`  storage-s3 (s3rver), form   ${figures.s3_throughput_mib_s} MiB/s`);
    console.log(
      `  resident memory growth      ${figures.rss_growth_mib} MiB (raw ${figures.fs_raw_rss_growth_mib}, form ${figures.fs_multipart_rss_growth_mib}, s3 ${figures.s3_rss_growth_mib})`,
    );
    console.log(JSON.stringify(figures));
    return 0;
  } finally {
    await kernel.stop();
    await queue.close();
    await bus.close();
    await db.close();
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
