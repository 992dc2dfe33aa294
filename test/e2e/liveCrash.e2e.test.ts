// Live sessions through a crash of `webencode up`: two publishers live for about six seconds, the
// platform killed with -9 and started again on the same data. The publisher that returns within the
// reconnect window continues its session and its recording (at most the segment open at the crash is
// lost); the session whose publisher does not return ends once the window passes, with a recording of
// what was stored and an archive job that completes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamDetail, StreamKeyResponse } from "../../schemas/api/streamResponses.ts";
import { until } from "../support/kernelApi.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";
import { publishTestStream } from "../support/publishTestStream.ts";

let dir: string;
let platform: PlatformProcess;
let token: string;
const env = {
  WEBENCODE_LIVE_RECONNECT_WINDOW: "15s",
  WEBENCODE_RTMP_PORT: "0",
  WEBENCODE_SRT_PORT: "off",
};
const waitUntil = (what: string, check: () => Promise<boolean>, ms = 20_000) =>
  until(check, (holds) => holds, what, ms);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const response = await fetch(`${platform.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
};
const streamOf = async (id: string) => (await api<StreamDetail>("GET", `/v1/streams/${id}`)).body;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-live-crash-e2e-"));
  platform = await startPlatform(join(dir, "data"), join(dir, "media"), env);
  token = platform.adminToken!;
});

afterAll(async () => {
  await platform?.kill();
  await rm(dir, { recursive: true, force: true });
});

describe("live sessions through a crash of webencode up", () => {
  it("a publisher back within the window keeps its session and recording; one that stays away is ended and archived", async () => {
    const created = await Promise.all(
      ["Back after the crash", "Gone with the crash"].map(async (title) => {
        const response = await api<StreamKeyResponse>("POST", "/v1/streams", { title });
        expect(response.status).toBe(201);
        return response.body;
      }),
    );
    const [back, gone] = created as [StreamKeyResponse, StreamKeyResponse];
    const publishers = created.map((stream) =>
      publishTestStream(`${stream.ingest_url}/${stream.stream_key}`, 60),
    );
    for (const stream of created) {
      await waitUntil(`${stream.id} live`, async () => (await streamOf(stream.id)).status === "live");
    }
    await sleep(6000);

    expect(await platform.kill("SIGKILL")).toBeNull();
    // what each publisher had sent when the platform died (media, not the wall clock since its start)
    const [backFirstPart, firstPart] = publishers.map((publisher) => publisher.sentSec()) as [number, number];
    for (const publisher of publishers) publisher.child.kill("SIGKILL");
    await Promise.all(publishers.map((publisher) => publisher.exit));

    platform = await startPlatform(join(dir, "data"), join(dir, "media"), env);
    // the session the crash left live waits for its publisher, the window counted from the crash
    await waitUntil("back reconnecting", async () => (await streamOf(back.id)).status === "reconnecting");
    const ingestUrl = (await streamOf(back.id)).ingest_url;
    const returning = publishTestStream(`${ingestUrl}/${back.stream_key}`, 60);
    await waitUntil("back live", async () => (await streamOf(back.id)).status === "live");
    await sleep(4000);
    expect((await api("POST", `/v1/streams/${back.id}/end`)).status).toBe(200);
    await returning.exit;
    const secondPart = returning.sentSec();
    await waitUntil("back's session ended with its recording", async () => {
      const [session] = (await streamOf(back.id)).sessions;
      return session?.status === "ended" && session.recording !== null;
    });
    const backDetail = await streamOf(back.id);
    expect(backDetail).toMatchObject({ status: "idle", session_count: 1, current_session: null });
    const [backSession] = backDetail.sessions;
    expect(backSession!.interruptions).toBeGreaterThanOrEqual(1);
    const published = backFirstPart + secondPart;
    // both parts, less at most the segment open at the crash (~2 s) and a segment's edge
    expect(backSession!.recording!.duration_seconds).toBeGreaterThan(published - 3.5);
    expect(backSession!.recording!.duration_seconds).toBeLessThan(published + 1.5);

    // the other publisher never came back: its session ended when the window passed, and is archived
    await waitUntil(
      "gone's session ended and archived",
      async () => {
        const [session] = (await streamOf(gone.id)).sessions;
        return session?.status === "ended" && session.archive_job_id !== null;
      },
      30_000,
    );
    const goneDetail = await streamOf(gone.id);
    expect(goneDetail).toMatchObject({ status: "idle", session_count: 1 });
    const [goneSession] = goneDetail.sessions;
    expect(goneSession!.end_reason).toMatch(/reconnect window/);
    // its publisher is taken to have gone at the crash, not when the platform came back
    expect(goneSession!.duration_seconds!).toBeLessThan(firstPart + 3);
    expect(goneSession!.recording!.duration_seconds).toBeGreaterThan(firstPart - 3.5);
    expect(goneSession!.recording!.duration_seconds).toBeLessThan(firstPart + 1.5);
    const jobId = goneSession!.archive_job_id!;
    await waitUntil(
      "the archive job done",
      async () => {
        const job = await api<{ status: string }>("GET", `/v1/jobs/${jobId}`);
        if (job.body.status === "failed") throw new Error(`archive job failed: ${JSON.stringify(job.body)}`);
        return job.body.status === "completed";
      },
      40_000,
    );
  }, 120_000);
});
