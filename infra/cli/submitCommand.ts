// `webencode submit <file|url> --profile <p> [--prefer-gpu] [--wait] [--output <path>]`: uploads a local file, submits
// it, follows the live feed with a progress bar and ETA, and prints (or downloads) the result.
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, statSync } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type ApiClient, readSse } from "./apiClient.ts";
import { createProgressBar } from "./progressBar.ts";

export interface SubmitOptions {
  source: string;
  profile: string;
  wait: boolean;
  output?: string;
  /** Absent leaves it to the profile. */
  preferGpu?: boolean | undefined;
}

interface JobDetail {
  id: string;
  status: string;
  progress_pct: number;
  eta_seconds: number | null;
  error: { code: string; message: string } | null;
}

interface Outputs {
  outputs: Array<{ name: string; download_url: string; size_bytes: number }>;
}

const formatEta = (seconds: number | null) =>
  seconds === null
    ? "ETA --:--"
    : `ETA ${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, "0")}`;

async function upload(client: ApiClient, path: string): Promise<string> {
  const size = statSync(path).size;
  const bar = createProgressBar(`uploading ${basename(path)}`);
  let sent = 0;
  const stream = createReadStream(path);
  stream.on("data", (chunk) => {
    sent += chunk.length;
    bar.update(sent, size, `${(sent / 1024 / 1024).toFixed(1)} of ${(size / 1024 / 1024).toFixed(1)} MiB`);
  });
  const response = await client.raw(`/v1/files/upload?name=${encodeURIComponent(basename(path))}`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", "content-length": String(size) },
    body: Readable.toWeb(stream) as ReadableStream,
    duplex: "half",
  } as RequestInit);
  const body = (await response.json()) as {
    url?: string;
    error?: { code: string; details: string; hint: string };
  };
  if (!response.ok || !body.url) {
    throw new Error(
      body.error
        ? `${body.error.code}: ${body.error.details}\nhint: ${body.error.hint}`
        : `upload failed: HTTP ${response.status}`,
    );
  }
  bar.finish(`uploaded ${basename(path)} as ${body.url}`);
  return body.url;
}

/** Follows the job on the live feed until it ends; resolves with its final state. */
async function follow(client: ApiClient, jobId: string): Promise<JobDetail> {
  const bar = createProgressBar(`job ${jobId.slice(0, 8)}`);
  let pct = 0;
  let eta: number | null = null;
  let status = "queued";
  let lastPosition: string | undefined;
  const controller = new AbortController();
  const poll = setInterval(async () => {
    // a safety net for proxies that buffer the feed: the job's own state, every few seconds
    const job = await client.request<JobDetail>("GET", `/v1/jobs/${jobId}`).catch(() => null);
    if (job && ["completed", "failed", "cancelled"].includes(job.status)) controller.abort();
  }, 5000);
  try {
    const response = await client.raw(`/v1/events/stream?job=${jobId}&from=start`, {
      headers: { accept: "text/event-stream" },
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(`the live feed answered HTTP ${response.status}`);
    for await (const message of readSse(response)) {
      if (message.id && /^\d+$/.test(message.id)) lastPosition = message.id;
      if (message.event === "progress") {
        const tick = JSON.parse(message.data) as { pct: number; eta_seconds: number | null };
        pct = Math.max(pct, tick.pct);
        eta = tick.eta_seconds;
      } else if (message.event === "TaskStarted") status = "processing";
      else if (message.event === "JobUploadingStarted") status = "uploading";
      else if (["JobCompleted", "JobFailed", "JobCancelled", "JobDeleted"].includes(message.event)) break;
      bar.update(pct, 100, `${status.padEnd(10)} ${formatEta(eta)}`);
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearInterval(poll);
    controller.abort();
  }
  // read our own write: the query waits until the projection has the event the feed just showed
  const job = await client.request<JobDetail>(
    "GET",
    `/v1/jobs/${jobId}${lastPosition ? `?min_position=${lastPosition}` : ""}`,
  );
  bar.finish(`job ${job.id}: ${job.status}`);
  return job;
}

export async function submitCommand(client: ApiClient, options: SubmitOptions): Promise<number> {
  const local = !/^[a-z][a-z0-9+.-]*:\/\//i.test(options.source);
  if (local && !existsSync(options.source)) {
    console.error(
      `no such file: ${options.source} (give a local file, fs://… in the media root, or an http(s):// URL)`,
    );
    return 2;
  }
  const sourceUrl = local ? await upload(client, options.source) : options.source;
  const created = await client.request<{ id: string }>(
    "POST",
    "/v1/jobs",
    {
      source_url: sourceUrl,
      profile: options.profile,
      ...(options.preferGpu === undefined ? {} : { prefer_gpu: options.preferGpu }),
    },
    { "idempotency-key": randomUUID() },
  );
  console.log(created.id);
  if (!options.wait && !options.output) return 0;
  const job = await follow(client, created.id);
  if (job.status !== "completed") {
    console.error(job.error ? `${job.error.code}: ${job.error.message}` : `the job ended ${job.status}`);
    return 1;
  }
  const { outputs } = await client.request<Outputs>("GET", `/v1/jobs/${created.id}/outputs`);
  for (const output of outputs)
    console.log(`${output.name}  ${output.size_bytes} bytes  ${output.download_url}`);
  if (options.output && outputs[0]) {
    const response = await fetch(outputs[0].download_url);
    if (!response.ok || !response.body) throw new Error(`download failed: HTTP ${response.status}`);
    await pipeline(Readable.fromWeb(response.body as never), createWriteStream(options.output));
    console.error(`saved ${options.output}`);
  }
  return 0;
}
