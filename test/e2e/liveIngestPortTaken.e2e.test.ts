// `webencode up` on a machine where another server holds the RTMP port: the platform starts anyway,
// says so once (WE-STR-006, with the setting to change), shows live ingest as degraded on /ready, hands
// out no RTMP address for new streams, and SRT publishers go live as usual.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReadinessResponse } from "../../schemas/api/healthResponses.ts";
import type { StreamDetail, StreamKeyResponse } from "../../schemas/api/streamResponses.ts";
import { until } from "../support/kernelApi.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";
import { publishTestStream } from "../support/publishTestStream.ts";

let dir: string;
let occupant: Server;
let takenPort: number;
let platform: PlatformProcess;
let token: string;

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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-live-port-taken-"));
  // another RTMP server, as far as the port is concerned
  occupant = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => occupant.listen(0, resolve));
  const address = occupant.address();
  takenPort = typeof address === "object" && address !== null ? address.port : 0;
  platform = await startPlatform(join(dir, "data"), join(dir, "media"), {
    WEBENCODE_RTMP_PORT: String(takenPort),
    WEBENCODE_SRT_PORT: "0",
  });
  token = platform.adminToken!;
});

afterAll(async () => {
  await platform?.kill();
  await new Promise<void>((resolve) => (occupant ? occupant.close(() => resolve()) : resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe("webencode up with the RTMP port taken", () => {
  it("starts, logs WE-STR-006 once with the setting to change, and /ready shows live ingest degraded", async () => {
    const reports = platform
      .output()
      .split("\n")
      .filter((line) => line.includes("WE-STR-006"));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain(`port ${takenPort}`);
    expect(reports[0]).toContain("WEBENCODE_RTMP_PORT");

    const response = await fetch(`${platform.url}/ready`);
    expect(response.status).toBe(200);
    const ready = (await response.json()) as ReadinessResponse;
    expect(ready.status).toBe("degraded");
    expect(ready.checks.event_store?.ok).toBe(true);
    expect(ready.checks.live_ingest).toMatchObject({
      ok: true,
      degraded: true,
      detail: {
        status: "degraded",
        listening: { srt: expect.stringMatching(/^srt:\/\//) },
        unavailable: { rtmp: { code: "WE-STR-006", port: takenPort } },
      },
    });
    expect(JSON.stringify(ready.checks.live_ingest)).not.toContain('"rtmp":"rtmp://');
  });

  it("creates streams with no RTMP address, and an SRT publisher goes live", async () => {
    const created = await api<StreamKeyResponse>("POST", "/v1/streams", { title: "SRT only" });
    expect(created.status).toBe(201);
    expect(created.body.ingest_url).toBeNull();
    expect(created.body.ingest_urls.rtmp).toBeNull();
    const srtUrl = created.body.ingest_urls.srt ?? "";
    expect(srtUrl).toMatch(/^srt:\/\/[\d.]+:\d+\?streamid=/);
    // the read model follows the log a moment behind the answer to the POST
    const detail = await until(
      () => api<StreamDetail>("GET", `/v1/streams/${created.body.id}`),
      (answer) => answer.status === 200,
      "the stream in the read model",
    );
    expect(detail.body.ingest_urls.rtmp).toBeNull();

    const publisher = publishTestStream(srtUrl, 30, "mpegts");
    try {
      await until(
        async () => (await api<StreamDetail>("GET", `/v1/streams/${created.body.id}`)).body,
        (stream) => stream.status === "live",
        "the SRT publisher live",
        30_000,
      );
      const live = (await api<StreamDetail>("GET", `/v1/streams/${created.body.id}`)).body;
      expect(live.current_session).toMatchObject({ protocol: "srt", status: "live" });
    } finally {
      publisher.child.kill("SIGKILL");
      await publisher.exit;
    }
    expect((await api("POST", `/v1/streams/${created.body.id}/end`)).status).toBe(200);
  });
});
