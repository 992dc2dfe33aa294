// Uploads at full size: one file through POST /v1/files/upload into storage-fs and into storage-s3 on a
// local S3 protocol server, each as a raw body and as a multipart form, against a bare `cp` of the same
// file in the same run. The kernel runs in a process of its own; its resident memory is sampled during
// each upload. fs_ratio_to_cp is the slower fs upload's seconds over cp's (1 = as fast as cp), and
// fs_ratio_to_durable_cp the same over cp followed by a sync of the copy, as storage-fs syncs its objects;
// rss_growth_mib the highest growth of the kernel's memory above its warmed-up level in any upload.
// Usage: npm run bench -- upload [size_mib] (default BENCH_UPLOAD_MIB, else 2048)
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { chmod, mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
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

const runTool = (command: string, args: string[]) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { stdio: "ignore" });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });

const bareCp = (from: string, to: string) => runTool("cp", [from, to]);

/** cp, then the copy flushed to disk: what storage-fs does before it answers (it syncs each object). */
const durableCp = async (from: string, to: string) => {
  await runTool("cp", [from, to]);
  await runTool("sync", [to]);
};

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
  return formAround(createReadStream(path, { highWaterMark: MiB }), size, fields);
}

const multipartFormOf = (bytes: Buffer, fields: Record<string, string>) =>
  formAround(Readable.from([bytes]), bytes.length, fields);

function formAround(file: Readable, size: number, fields: Record<string, string>) {
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
    yield* file;
    yield tail;
  }
  return {
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    body: Readable.from(parts()),
    length: head.length + size + tail.length,
  };
}

const KERNEL = join(dirname(fileURLToPath(import.meta.url)), "support", "uploadKernel.ts");

/** The kernel in its own process; resolves once it listens. */
async function startKernelProcess(options: { data: string; media: string; maxUploadBytes: number }) {
  const child = spawn(process.execPath, ["--import", "tsx", KERNEL, JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const started = await new Promise<{ url: string; token: string; pid: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolve(JSON.parse(line)));
    child.once("exit", (code) => reject(new Error(`the kernel exited with ${code} before it listened`)));
  });
  return {
    ...started,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin!.end();
      await exited;
    },
  };
}

/** Resident memory of process `pid` in bytes, as the kernel counts it. */
const rssOf = async (pid: number): Promise<number> => {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) * 1024;
};

export async function run(args: string[]): Promise<number> {
  const sizeMib = Number(args[0] ?? process.env.BENCH_UPLOAD_MIB ?? 2048);
  const size = sizeMib * MiB;
  const dir = await mkdtemp(join(tmpdir(), "webencode-bench-upload-"));
  await chmod(dir, 0o755);
  const media = join(dir, "media");
  const data = join(dir, "data");
  await mkdir(media);
  await mkdir(data);
  const source = join(dir, "source.bin");
  await writeRandomFile(source, size);
  const s3 = await startS3rver("webencode-bench");
  // the S3 multipart part size and parts in flight bound the kernel's memory for S3 uploads; the
  // plugin's defaults unless BENCH_S3_PART_MIB / BENCH_S3_CONCURRENCY say otherwise
  const s3Tuning = [
    ...(process.env.BENCH_S3_PART_MIB ? [`part_size_mib = ${Number(process.env.BENCH_S3_PART_MIB)}`] : []),
    ...(process.env.BENCH_S3_CONCURRENCY
      ? [`upload_concurrency = ${Number(process.env.BENCH_S3_CONCURRENCY)}`]
      : []),
  ];
  await writeFile(join(data, "plugins.toml"), [s3PluginsToml(s3), ...s3Tuning].join("\n"));
  const kernel = await startKernelProcess({ data, media, maxUploadBytes: 2 * size + MiB });
  try {
    const upload = `${kernel.url}/v1/files/upload`;
    const raw = (query: string) => () =>
      post(
        `${upload}?name=bench.bin${query}`,
        kernel.token,
        { "content-type": "application/octet-stream" },
        createReadStream(source, { highWaterMark: MiB }),
        size,
      ).then(() => undefined);
    const form = (fields: Record<string, string>) => () => {
      const { headers, body, length } = multipartForm(source, size, fields);
      return post(upload, kernel.token, headers, body, length).then(() => undefined);
    };
    const toS3 = { plugin_id: "storage-s3", object_key: "bench/source.bin" };
    const s3Query = "&plugin_id=storage-s3&object_key=bench/source.bin";

    // warm every path with a small upload, then measure resident memory from there
    const small = async (query: string, fields: Record<string, string>) => {
      await post(
        `${upload}?name=warm.bin${query}`,
        kernel.token,
        {},
        Readable.from([Buffer.alloc(MiB)]),
        MiB,
      );
      const { headers, body, length } = multipartFormOf(Buffer.alloc(MiB), fields);
      await post(upload, kernel.token, headers, body, length);
    };
    await small("", {});
    await small(s3Query, toS3);
    const baseline = await rssOf(kernel.pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      rssOf(kernel.pid).then(
        (rss) => {
          peak = Math.max(peak, rss);
        },
        () => undefined,
      );
    }, 20);

    /** Seconds of `what`, and the highest resident memory of the kernel above its warmed-up level. */
    const phase = async (what: () => Promise<void>) => {
      peak = baseline;
      const seconds = await timed(what);
      peak = Math.max(peak, await rssOf(kernel.pid));
      return { seconds, growth: Math.max(0, peak - baseline) };
    };
    const cpSeconds = await timed(() => bareCp(source, join(dir, "copy.bin")));
    await rm(join(dir, "copy.bin"));
    const durableCpSeconds = await timed(() => durableCp(source, join(dir, "copy.bin")));
    await rm(join(dir, "copy.bin"));
    const clean = () => rm(join(media, "uploads"), { recursive: true, force: true });
    const fsRaw = await phase(raw(""));
    await clean();
    const fsForm = await phase(form({}));
    await clean();
    const s3Raw = await phase(raw(s3Query));
    const s3Form = await phase(form(toS3));
    clearInterval(sampler);

    const throughput = (run: { seconds: number }) => round(sizeMib / run.seconds, 1);
    const growthMib = (run: { growth: number }) => round(run.growth / MiB, 1);
    const fsSeconds = Math.max(fsRaw.seconds, fsForm.seconds);
    const s3Seconds = Math.max(s3Raw.seconds, s3Form.seconds);
    const runs = [fsRaw, fsForm, s3Raw, s3Form];
    const figures = {
      fs_throughput_mib_s: round(sizeMib / fsSeconds, 1),
      fs_ratio_to_cp: round(fsSeconds / cpSeconds, 2),
      s3_throughput_mib_s: round(sizeMib / s3Seconds, 1),
      rss_growth_mib: Math.max(...runs.map(growthMib)),
      fs_raw_throughput_mib_s: throughput(fsRaw),
      fs_multipart_throughput_mib_s: throughput(fsForm),
      s3_raw_throughput_mib_s: throughput(s3Raw),
      s3_multipart_throughput_mib_s: throughput(s3Form),
      fs_raw_rss_growth_mib: growthMib(fsRaw),
      fs_multipart_rss_growth_mib: growthMib(fsForm),
      s3_raw_rss_growth_mib: growthMib(s3Raw),
      s3_multipart_rss_growth_mib: growthMib(s3Form),
      kernel_rss_baseline_mib: round(baseline / MiB, 1),
      cp_throughput_mib_s: round(sizeMib / cpSeconds, 1),
      durable_cp_throughput_mib_s: round(sizeMib / durableCpSeconds, 1),
      fs_ratio_to_durable_cp: round(fsSeconds / durableCpSeconds, 2),
      size_mib: sizeMib,
    };
    console.log(`upload of ${sizeMib} MiB through POST /v1/files/upload (the kernel in its own process):`);
    console.log(`  bare cp                      ${figures.cp_throughput_mib_s} MiB/s`);
    console.log(`  cp, then synced to disk      ${figures.durable_cp_throughput_mib_s} MiB/s`);
    console.log(`  storage-fs, raw body         ${figures.fs_raw_throughput_mib_s} MiB/s`);
    console.log(`  storage-fs, multipart form   ${figures.fs_multipart_throughput_mib_s} MiB/s`);
    console.log(`  storage-s3 (s3rver), raw     ${figures.s3_raw_throughput_mib_s} MiB/s`);
    console.log(`  storage-s3 (s3rver), form    ${figures.s3_multipart_throughput_mib_s} MiB/s`);
    console.log(
      `  kernel memory growth         ${figures.rss_growth_mib} MiB above ${figures.kernel_rss_baseline_mib} MiB (fs raw ${figures.fs_raw_rss_growth_mib}, fs form ${figures.fs_multipart_rss_growth_mib}, s3 raw ${figures.s3_raw_rss_growth_mib}, s3 form ${figures.s3_multipart_rss_growth_mib})`,
    );
    console.log(JSON.stringify(figures));
    return 0;
  } finally {
    await kernel.stop();
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
