// A destination that hangs is not left "live": a restream run with two real RTMP receivers, one of them
// frozen (SIGSTOP) once both are live, so its connection stays open but nothing reads it. The input is
// about 40 Mb/s, so the socket buffers in between fill within seconds and then take no byte more.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DestinationState } from "../../schemas/events/restreamEvents.ts";
import { until } from "../../test/support/kernelApi.ts";
import { makeNoisyClip } from "../../test/support/noisyClip.ts";
import {
  freeTcpPort,
  longestGap,
  type RtmpReceiver,
  startRtmpReceiver,
  videoPacketTimes,
} from "../../test/support/rtmpReceiver.ts";
import { startRestreamRun } from "./restreamRun.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let clip: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-stalled-destination-"));
  clip = join(dir, "clip.flv");
  await makeNoisyClip(clip);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Report {
  destinationId: string;
  state: DestinationState;
  errorCount: number;
  lastError?: string;
  at: number;
}

const stateOf = (reports: Report[], id: string) =>
  reports.filter((r) => r.destinationId === id).at(-1)?.state ?? "idle";

describe("a restream run with a destination that stops reading", () => {
  it("turns it errored within the bound, drops its connection and reconnects it, while the other goes on", async () => {
    const healthyId = "2f6d0b8e-7c1a-4b3e-8d2f-0a9c1e5b7d01";
    const hungId = "2f6d0b8e-7c1a-4b3e-8d2f-0a9c1e5b7d02";
    const stallMs = 3000;
    const [inputPort, healthyPort, hungPort] = await Promise.all([0, 1, 2].map(() => freeTcpPort()));
    const healthy: RtmpReceiver = startRtmpReceiver(healthyPort!, join(dir, "healthy.flv"));
    const hung: RtmpReceiver = startRtmpReceiver(hungPort!, join(dir, "hung.flv"));
    let back: RtmpReceiver | undefined;
    const reports: Report[] = [];
    const inputUrl = `rtmp://127.0.0.1:${inputPort}/live/input`;
    const restream = startRestreamRun({
      runId: "2f6d0b8e-7c1a-4b3e-8d2f-0a9c1e5b7d00",
      input: { url: inputUrl, live: true, loop: false, realtime: false, options: ["-listen", "1"] },
      destinations: [
        { destinationId: healthyId, url: healthy.url, masked: "rtmp://127.0.0.1/live/••••0001" },
        { destinationId: hungId, url: hung.url, masked: "rtmp://127.0.0.1/live/••••0001" },
      ],
      ffmpegPath: "ffmpeg",
      report: (destinationId, state, errorCount, lastError) =>
        reports.push({
          destinationId,
          state,
          errorCount,
          ...(lastError ? { lastError } : {}),
          at: Date.now(),
        }),
      ended: () => {},
      log: (message) => process.env.RESTREAM_TEST_LOG && console.log(message),
      stallMs: 1500,
      destinationStallMs: stallMs,
    });
    let publisher: ReturnType<typeof execFile> | undefined;
    try {
      // the input listens once the run has started ffmpeg: publish until it takes the stream
      for (;;) {
        publisher = execFile("ffmpeg", [
          ...["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip],
          ...["-c", "copy", "-f", "flv", inputUrl],
        ]);
        await sleep(700);
        if (publisher.exitCode === null) break;
      }
      await until(
        async () => [stateOf(reports, healthyId), stateOf(reports, hungId)],
        (s) => s.every((x) => x === "live"),
        "both live",
        20_000,
      );
      await sleep(1500);
      // the receiver hangs: its connection stays open, and nothing reads from it any more
      const frozenAt = Date.now();
      hung.process.kill("SIGSTOP");
      await until(
        async () => stateOf(reports, hungId),
        (s) => s === "errored",
        "the hung destination errored",
        20_000,
      );
      const errored = reports.find((r) => r.destinationId === hungId && r.state === "errored")!;
      expect(errored.lastError).toBe("the destination stopped reading for 3 s");
      expect(errored.errorCount).toBe(1);
      // not before the bound: the buffers fill first, then nothing moves for stallMs
      expect(errored.at - frozenAt).toBeGreaterThanOrEqual(stallMs);
      expect(errored.at - frozenAt).toBeLessThan(stallMs + 10_000);
      expect(restream.figures().destinations[hungId]!.bitrateKbps).toBe(0);

      // its connection was dropped: a receiver on its address again gets it back with the usual backoff
      await hung.kill();
      back = startRtmpReceiver(hungPort!, join(dir, "hung-back.flv"));
      await until(
        async () => stateOf(reports, hungId),
        (s) => s === "live",
        "the destination live again",
        20_000,
      );
      await sleep(1500);
      expect(restream.figures().destinations[healthyId]!.bitrateKbps).toBeGreaterThan(0);
    } finally {
      await restream.stop();
      publisher?.kill("SIGKILL");
      if (hung.process.exitCode === null) await hung.kill();
      await Promise.all([healthy.close(), back?.close()]);
    }
    expect(reports.filter((r) => r.destinationId === hungId).map((r) => r.state)).toEqual([
      "connecting",
      "live",
      "errored",
      "live",
      "idle",
    ]);
    // the healthy one never failed and received all along without a gap
    expect(reports.filter((r) => r.destinationId === healthyId && r.state === "errored")).toEqual([]);
    const healthyTimes = await videoPacketTimes(healthy.file);
    expect(healthyTimes.at(-1)! - healthyTimes[0]!).toBeGreaterThan(8);
    expect(longestGap(healthyTimes)).toBeLessThan(0.5);
    expect((await videoPacketTimes(join(dir, "hung-back.flv"))).length).toBeGreaterThan(10);
  }, 90_000);
});
