// A new user's first job, end to end: `webencode up` as its own process, a real 10 s 720p clip with
// audio, upload, submit, the live feed, a Range download and ffprobe on the result; then the CLI;
// then a kill -9 in the middle of a job.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse } from "../../infra/cli/apiClient.ts";
import { makeClip, probe } from "../support/mediaClip.ts";
import { type PlatformProcess, startPlatform, webencodeBin } from "../support/platformProcess.ts";

let dir: string;
let clip: string;
let platform: PlatformProcess;
let token: string;

const api = async <T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T; headers: Headers }> => {
  const response = await fetch(`${platform.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
};

/** Follows one job on the feed, as a browser would: with a ticket, not the token, in the URL. */
async function followJob(jobId: string, until: string[]) {
  const { body } = await api<{ ticket: string }>("POST", "/v1/events/ticket");
  const seen: Array<{ event: string; id?: string; data: unknown }> = [];
  const response = await fetch(
    `${platform.url}/v1/events/stream?job=${jobId}&from=start&ticket=${encodeURIComponent(body.ticket)}`,
  );
  expect(response.status).toBe(200);
  for await (const message of readSse(response)) {
    seen.push({
      event: message.event,
      ...(message.id ? { id: message.id } : {}),
      data: message.data ? JSON.parse(message.data) : null,
    });
    if (until.includes(message.event)) break;
  }
  return seen;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-e2e-"));
  await chmod(dir, 0o755);
  clip = join(dir, "holiday.mp4");
  await makeClip(clip, { seconds: 10, width: 1280, height: 720 });
  platform = await startPlatform(join(dir, "data"), join(dir, "media"));
  token = platform.adminToken!;
  expect(token).toMatch(/^we_/);
});

afterAll(async () => {
  await platform?.kill();
  await rm(dir, { recursive: true, force: true });
});

describe("first VOD job through webencode up", () => {
  it("upload → submit → live feed → Range and whole download → ffprobe: H.264 + AAC, same duration", async () => {
    const upload = await fetch(`${platform.url}/v1/files/upload?name=holiday.mp4`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body: readFileSync(clip),
    });
    expect(upload.status).toBe(201);
    const { url, sha256 } = (await upload.json()) as { url: string; sha256: string };
    expect(url).toMatch(/^fs:\/\/uploads\//);
    // the same clip as a form, the way curl -F file=@holiday.mp4 sends it
    const form = new FormData();
    form.append("file", new Blob([readFileSync(clip)], { type: "video/mp4" }), "holiday.mp4");
    const formUpload = await fetch(`${platform.url}/v1/files/upload`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(formUpload.status).toBe(201);
    expect(await formUpload.json()).toMatchObject({ url: expect.stringMatching(/holiday\.mp4$/), sha256 });

    const submitted = await api<{ id: string; status: string }>("POST", "/v1/jobs", {
      source_url: url,
      profile: "720p_h264",
    });
    expect(submitted.status).toBe(201);
    const jobId = submitted.body.id;

    const feed = await followJob(jobId, ["JobCompleted", "JobFailed"]);
    const types = feed.map((m) => m.event);
    expect(types).toContain("JobSubmitted");
    expect(types).toContain("TaskStarted");
    expect(types).toContain("progress");
    expect(types.at(-1)).toBe("JobCompleted");
    const progress = feed.filter((m) => m.event === "progress");
    expect(progress.every((m) => m.id === undefined)).toBe(true); // ticks are not resumable
    expect(feed.filter((m) => m.event === "JobCompleted").every((m) => m.id !== undefined)).toBe(true);

    const last = feed.filter((m) => m.id && /^\d+$/.test(m.id)).at(-1)!.id;
    const job = await api<{
      status: string;
      progress_pct: number;
      tasks_total: number;
      tasks_completed: number;
    }>("GET", `/v1/jobs/${jobId}?min_position=${last}`);
    expect(job.body).toMatchObject({
      status: "completed",
      progress_pct: 100,
      tasks_total: 1,
      tasks_completed: 1,
    });

    const outputs = await api<{ outputs: Array<{ download_url: string; size_bytes: number }> }>(
      "GET",
      `/v1/jobs/${jobId}/outputs`,
    );
    const [output] = outputs.body.outputs;
    const ranged = await fetch(output!.download_url, { headers: { range: "bytes=0-1023" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 0-1023/${output!.size_bytes}`);
    expect((await ranged.arrayBuffer()).byteLength).toBe(1024);
    const whole = await fetch(output!.download_url); // signed: no bearer token needed
    expect(whole.status).toBe(200);
    const file = join(dir, "result.mp4");
    await writeFile(file, Buffer.from(await whole.arrayBuffer()));

    const [source, result] = await Promise.all([probe(clip), probe(file)]);
    expect(result.video).toEqual({ codec: "h264", width: 1280, height: 720 });
    expect(result.audio).toEqual({ codec: "aac" });
    expect(Math.abs(result.durationSec - source.durationSec)).toBeLessThanOrEqual(0.1);
  });

  it("the same through `webencode submit --wait --output`", async () => {
    const output = join(dir, "cli.mp4");
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [webencodeBin, "submit", clip, "--profile", "480p_fast", "--wait", "--output", output],
      { env: { ...process.env, WEBENCODE_URL: platform.url, WEBENCODE_TOKEN: token }, timeout: 120_000 },
    );
    expect(stderr).toMatch(/uploaded holiday\.mp4/);
    expect(stderr).toMatch(/completed/);
    expect(stdout).toMatch(/_final\.mp4 +\d+ bytes +http/);
    const result = await probe(output);
    expect(result.video?.codec).toBe("h264");
    expect(result.video?.height).toBe(480);
    expect(result.audio?.codec).toBe("aac");
    expect(Math.abs(result.durationSec - 10)).toBeLessThanOrEqual(0.1);

    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, [webencodeBin, ...args], {
        env: { ...process.env, WEBENCODE_URL: platform.url, WEBENCODE_TOKEN: token },
      });
    const jobId = /^([0-9a-f-]{36})$/m.exec(stdout)![1]!;
    const listed = await cli("jobs", "list");
    expect(listed.stdout).toMatch(new RegExp(`${jobId} +completed +100% +480p_fast`));
    const shown = JSON.parse((await cli("jobs", "show", jobId, "--json")).stdout) as {
      status: string;
      tasks: unknown[];
    };
    expect(shown).toMatchObject({
      status: "completed",
      tasks: [expect.objectContaining({ status: "completed" })],
    });
    // without --json, the task table
    expect((await cli("jobs", "show", jobId)).stdout).toMatch(/^0 +video +0\.000–10\.\d{3} +completed /m);
    await expect(cli("jobs", "cancel", jobId)).rejects.toMatchObject({
      stderr: expect.stringContaining("WE-JOB-006"),
    });
    const retried = JSON.parse((await cli("jobs", "retry", jobId)).stdout) as { retry_of: string };
    expect(retried.retry_of).toBe(jobId);
  });

  it("survives kill -9 in the middle of a job: started again on the same data, the job finishes once", async () => {
    const long = join(dir, "media", "long.mp4");
    await makeClip(long, { seconds: 30, width: 1280, height: 720 });
    const { body } = await api<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://long.mp4",
      profile: "720p_h264",
    });
    const feed = await followJob(body.id, ["progress"]);
    expect(feed.some((m) => m.event === "TaskStarted")).toBe(true);

    expect(await platform.kill("SIGKILL")).toBeNull();
    platform = await startPlatform(join(dir, "data"), join(dir, "media"));
    expect(platform.adminToken).toBeUndefined(); // printed once, on the first start only

    const after = await followJob(body.id, ["JobCompleted", "JobFailed"]);
    expect(after.at(-1)?.event).toBe("JobCompleted");
    const types = after.map((m) => m.event);
    expect(types.filter((t) => t === "JobCompleted")).toHaveLength(1);
    expect(types.filter((t) => t === "TaskCompleted")).toHaveLength(1);
    expect(types.filter((t) => t === "JobSubmitted")).toHaveLength(1);
    // the feed may show JobCompleted before the read model has it: read your writes from its position
    const completedAt = after.filter((m) => m.id && /^\d+$/.test(m.id)).at(-1)!.id;
    const outputs = await api<{ outputs: Array<{ download_url: string }> }>(
      "GET",
      `/v1/jobs/${body.id}/outputs?min_position=${completedAt}`,
    );
    const response = await fetch(outputs.body.outputs[0]!.download_url);
    const file = join(dir, "after-crash.mp4");
    await writeFile(file, Buffer.from(await response.arrayBuffer()));
    expect(Math.abs((await probe(file)).durationSec - 30)).toBeLessThanOrEqual(0.1);
  });
});
