// Remote sources from a hostile server against one running `webencode up`: a playlist, an mp4 that
// turns into a playlist once it has been probed, a redirect to loopback, a name that rebinds to loopback
// after it was checked, and a 403. Each job fails with its code, no request ever reaches the loopback
// service, and a valid job submitted after them completes.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostileSources, startHostileSources } from "../support/hostileSourceServer.ts";
import { makeTestClip } from "../support/makeTestClip.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";

const PUBLIC = "93.184.216.34";

let dir: string;
let sources: HostileSources;
let platform: PlatformProcess;
let token: string;

interface JobView {
  status: string;
  error?: { code: string; message: string } | null;
}

async function submit(sourceUrl: string): Promise<string> {
  const response = await fetch(`${platform.url}/v1/jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ source_url: sourceUrl, profile: "480p_fast" }),
  });
  const body = (await response.json()) as { id: string };
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

/** Polls the job until it ends; generous, the machine may be busy. */
async function ended(jobId: string): Promise<JobView> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const response = await fetch(`${platform.url}/v1/jobs/${jobId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const job = (await response.json()) as JobView;
    if (["completed", "failed", "cancelled"].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-hostile-"));
  await chmod(dir, 0o755);
  const clip = await makeTestClip(dir, "clip.mp4", { durationSec: 1, faststart: true });
  const segment = await makeTestClip(dir, "seg.ts", { durationSec: 1, container: "mpegts" });
  sources = await startHostileSources({ clip, segment, segmentHost: "localhost" });
  platform = await startPlatform(join(dir, "data"), join(dir, "media"), {
    // The hostile server is on loopback: allowed by the name the jobs use, never by address.
    WEBENCODE_ALLOW_SOURCE_HOSTS: "localhost",
    // Public for the API's and the planner's checks, loopback for whatever resolves it next.
    WEBENCODE_TEST_SOURCE_HOSTS: JSON.stringify({ "rebind.test": [PUBLIC, PUBLIC, "127.0.0.1"] }),
  });
  token = platform.adminToken!;
});

afterAll(async () => {
  await platform?.kill();
  await sources?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("hostile remote sources on a running platform", () => {
  it("every hostile job fails with its code, nothing reaches loopback, and a valid job after them completes", async () => {
    const hostile = `http://localhost:${sources.port}`;
    const cases: [string, string, RegExp][] = [
      [`${hostile}/playlist.m3u8`, "WE-JOB-007", /not a single media file/],
      [`${hostile}/bait.mp4`, "WE-JOB-007", /not a single media file|not on whitelist/],
      [`${hostile}/to-internal`, "WE-JOB-002", /redirect/],
      [`http://rebind.test:${sources.internalPort}/clip.mp4`, "WE-JOB-002", /loopback/],
      [`${hostile}/forbidden`, "WE-JOB-002", /403/],
    ];
    const jobs = [];
    for (const [url] of cases) jobs.push(await submit(url));
    const valid = await submit(`${hostile}/clip.mp4`);

    for (const [index, [url, code, why]] of cases.entries()) {
      const job = await ended(jobs[index]!);
      expect(job, url).toMatchObject({
        status: "failed",
        error: { code, message: expect.stringMatching(why) },
      });
    }
    expect(await ended(valid)).toMatchObject({ status: "completed" });
    expect(sources.hits("/bait.mp4"), "probed as an mp4, then refused as a playlist").toBeGreaterThan(1);
    expect(sources.hits("/seg.ts")).toBe(0);
    expect(sources.internalHits()).toBe(0);
  });
});
