// A restream run with real ffmpeg and real RTMP: a live input published over RTMP fanned out to three
// RTMP receivers; one receiver killed and brought back; the input dropped and the slate on air meanwhile.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DestinationState } from "../../schemas/events/restreamEvents.ts";
import { until } from "../../test/support/kernelApi.ts";
import { probe } from "../../test/support/mediaClip.ts";
import { type RtmpPublisher, startRtmpPublisher } from "../../test/support/rtmpPublisher.ts";
import {
  freeTcpPort,
  longestGap,
  type RtmpReceiver,
  startRtmpReceiver,
  videoPacketTimes,
} from "../../test/support/rtmpReceiver.ts";
import { startRestreamRun } from "./restreamRun.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-restream-run-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Report {
  destinationId: string;
  state: DestinationState;
  errorCount: number;
  lastError?: string;
}

/** The run's input listens for an RTMP publisher, as a live read URL would serve one. */
async function liveRun(
  inputPort: number,
  destinations: { destinationId: string; url: string }[],
  reports: Report[],
) {
  const inputUrl = `rtmp://127.0.0.1:${inputPort}/live/input`;
  const ended: string[] = [];
  const run = startRestreamRun({
    runId: "7c1a7a1f-3a1b-4d49-8e54-1a1f3e8f2b22",
    input: { url: inputUrl, live: true, loop: false, realtime: false, options: ["-listen", "1"] },
    destinations: destinations.map((d) => ({ ...d, masked: d.url.replace(/[^/]+$/, "••••0001") })),
    ffmpegPath: "ffmpeg",
    report: (destinationId, state, errorCount, lastError) =>
      reports.push({ destinationId, state, errorCount, ...(lastError ? { lastError } : {}) }),
    ended: (reason) => ended.push(reason),
    log: (message) => process.env.RESTREAM_TEST_LOG && console.log(message),
    stallMs: 500,
  });
  return { run, inputUrl, ended };
}

/** Publishes until the input's listener takes it (it may not listen yet when the first attempt runs). */
async function publishTo(url: string): Promise<RtmpPublisher> {
  for (;;) {
    const publisher = startRtmpPublisher(url);
    await sleep(700);
    if (publisher.process.exitCode === null) return publisher;
  }
}

const stateOf = (reports: Report[], destinationId: string) =>
  reports.filter((r) => r.destinationId === destinationId).at(-1)?.state ?? "idle";

const childrenOf = (pid: number) => {
  try {
    const listed = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(pid)], { encoding: "utf8" });
    return listed
      .split("\n")
      .filter((line) => line.includes("ffmpeg"))
      .join("\n");
  } catch {
    return ""; // ps exits 1 when it lists nothing
  }
};

describe("a restream run", () => {
  it("fans a live input out to three receivers; one killed and back reconnects while the others go on without a gap", async () => {
    const ids = ["a", "b", "c"].map(
      (n) => `8d2b8b2a-4b2c-4e5a-9f65-2b2a4f9a3c3${n === "a" ? 1 : n === "b" ? 2 : 3}`,
    );
    // every port taken before any server binds, so two never get the same one
    const [inputPort, ...ports] = await Promise.all([0, ...ids].map(() => freeTcpPort()));
    const receivers: RtmpReceiver[] = ports.map((port, i) => startRtmpReceiver(port, join(dir, `r${i}.flv`)));
    const reports: Report[] = [];
    const { run, inputUrl } = await liveRun(
      inputPort!,
      ids.map((destinationId, i) => ({ destinationId, url: receivers[i]!.url })),
      reports,
    );
    const publisher = await publishTo(inputUrl);
    let comeBack: RtmpReceiver | undefined;
    try {
      await until(
        async () => ids.map((id) => stateOf(reports, id)),
        (s) => s.every((x) => x === "live"),
        "all live",
        20_000,
      );
      await sleep(1500);
      await receivers[1]!.kill();
      await until(
        async () => stateOf(reports, ids[1]!),
        (s) => s === "errored",
        "b errored",
        10_000,
      );
      await sleep(1000);
      comeBack = startRtmpReceiver(ports[1]!, join(dir, "r1-again.flv"));
      await until(
        async () => stateOf(reports, ids[1]!),
        (s) => s === "live",
        "b live again",
        20_000,
      );
      await sleep(1500);
      expect(run.figures().destinations[ids[0]!]!.bitrateKbps).toBeGreaterThan(0);
    } finally {
      await run.stop();
      await publisher.kill();
      await Promise.all([receivers[0]!.close(), receivers[2]!.close(), comeBack?.close()]);
    }
    for (const i of [0, 2]) {
      const times = await videoPacketTimes(receivers[i]!.file);
      expect(times.at(-1)! - times[0]!).toBeGreaterThan(4);
      expect(longestGap(times)).toBeLessThan(0.5);
      expect((await probe(receivers[i]!.file)).video?.codec).toBe("h264");
    }
    expect((await probe(join(dir, "r1-again.flv"))).video?.codec).toBe("h264");
    const b = reports.filter((r) => r.destinationId === ids[1]);
    expect(b.map((r) => r.state)).toEqual(expect.arrayContaining(["connecting", "live", "errored"]));
    expect(b.find((r) => r.state === "errored")?.errorCount).toBeGreaterThanOrEqual(1);
    // the others never failed
    expect(reports.filter((r) => r.destinationId !== ids[1] && r.state === "errored")).toEqual([]);
    // no key in an error message, and nothing of the run left running
    expect(JSON.stringify(reports)).not.toContain("stream-key-0001");
    expect(childrenOf(process.pid)).toBe("");
  }, 90_000);

  it("puts a slate on air while the live input is away, and the input back on its next keyframe", async () => {
    const [port, inputPort] = [await freeTcpPort(), await freeTcpPort()];
    const receiver = startRtmpReceiver(port, join(dir, "slate.flv"));
    const reports: Report[] = [];
    const destinationId = "8d2b8b2a-4b2c-4e5a-9f65-2b2a4f9a3c39";
    const { run, inputUrl } = await liveRun(inputPort, [{ destinationId, url: receiver.url }], reports);
    let publisher = await publishTo(inputUrl);
    const onAir: string[] = [];
    try {
      await until(
        async () => stateOf(reports, destinationId),
        (s) => s === "live",
        "live",
        20_000,
      );
      onAir.push(run.onAir());
      await sleep(1000);
      await publisher.kill();
      await until(
        async () => run.onAir(),
        (s) => s === "slate",
        "slate on air",
        10_000,
      );
      onAir.push(run.onAir());
      await sleep(1500);
      publisher = await publishTo(inputUrl);
      await until(
        async () => run.onAir(),
        (s) => s === "input",
        "input back",
        20_000,
      );
      onAir.push(run.onAir());
      await sleep(1500);
    } finally {
      await run.stop();
      await publisher.kill();
      await receiver.close();
    }
    expect(onAir).toEqual(["input", "slate", "input"]);
    // the destination never lost its connection: the platform would not have ended the broadcast
    expect(reports.filter((r) => r.state === "errored")).toEqual([]);
    const times = await videoPacketTimes(receiver.file);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(4);
    expect(longestGap(times)).toBeLessThan(1.5);
    expect(childrenOf(process.pid)).toBe("");
  }, 90_000);
});
