// A slow destination never holds the others: a restream run with two RTMP destinations, one of them behind a
// proxy that stops reading the platform's connection for 8 s. The input is 1280x720 at about 40 Mb/s, so
// the socket buffers fill within seconds and the slow destination's queue overflows for real.
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
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
import { startStallingProxy } from "../../test/support/stallingProxy.ts";
import { startRestreamRun } from "./restreamRun.ts";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let clip: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-slow-destination-"));
  clip = join(dir, "clip.flv");
  await makeNoisyClip(clip);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stateOf = (reports: { destinationId: string; state: DestinationState }[], id: string) =>
  reports.filter((r) => r.destinationId === id).at(-1)?.state ?? "idle";

/** The video packets of a received file in order: their times (seconds) and whether each is a keyframe. */
async function videoPackets(file: string): Promise<{ time: number; keyframe: boolean }[]> {
  const { stdout } = await run("ffprobe", [
    ...[
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-show_entries",
      "packet=pts_time,flags",
      "-of",
      "csv=p=0",
      file,
    ],
  ]);
  return stdout
    .split("\n")
    .map((line) => line.split(","))
    .filter(([time]) => Number.isFinite(Number.parseFloat(time ?? "")))
    .map(([time, flags]) => ({ time: Number.parseFloat(time!), keyframe: (flags ?? "").includes("K") }))
    .sort((a, b) => a.time - b.time);
}

/** What a decoder reports reading the whole file; empty when every frame decodes cleanly. */
async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run("ffmpeg", ["-hide_banner", "-v", "error", "-i", file, "-f", "null", "-"]);
  return stderr.trim();
}

describe("a restream run with a slow destination", () => {
  it("skips the slow one to a keyframe while the healthy one goes on without a gap", async () => {
    const healthyId = "5b0c7c1e-2f4a-4c1e-9a3b-6d2e1f0a9b01";
    const slowId = "5b0c7c1e-2f4a-4c1e-9a3b-6d2e1f0a9b02";
    const [inputPort, healthyPort, slowPort, proxyPort] = await Promise.all(
      [0, 1, 2, 3].map(() => freeTcpPort()),
    );
    const healthy: RtmpReceiver = startRtmpReceiver(healthyPort!, join(dir, "healthy.flv"));
    const slow: RtmpReceiver = startRtmpReceiver(slowPort!, join(dir, "slow.flv"));
    const proxy = await startStallingProxy(proxyPort!, slowPort!);
    const reports: { destinationId: string; state: DestinationState }[] = [];
    const inputUrl = `rtmp://127.0.0.1:${inputPort}/live/input`;
    const restream = startRestreamRun({
      runId: "5b0c7c1e-2f4a-4c1e-9a3b-6d2e1f0a9b00",
      input: { url: inputUrl, live: true, loop: false, realtime: false, options: ["-listen", "1"] },
      destinations: [
        { destinationId: healthyId, url: healthy.url, masked: "rtmp://127.0.0.1/live/••••0001" },
        {
          destinationId: slowId,
          url: slow.url.replace(`:${slowPort}/`, `:${proxyPort}/`),
          masked: "rtmp://127.0.0.1/live/••••0001",
        },
      ],
      ffmpegPath: "ffmpeg",
      report: (destinationId, state) => reports.push({ destinationId, state }),
      ended: () => {},
      log: (message) => process.env.RESTREAM_TEST_LOG && console.log(message),
      stallMs: 1500,
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
        async () => [stateOf(reports, healthyId), stateOf(reports, slowId)],
        (s) => s.every((x) => x === "live"),
        "both live",
        20_000,
      );
      await sleep(2000);
      proxy.stall();
      await sleep(8000);
      const stalledSize = (await stat(slow.file)).size;
      proxy.resume();
      await sleep(4000);
      const figures = restream.figures().destinations;
      expect(figures[slowId]!.skips).toBeGreaterThan(0);
      expect(figures[healthyId]!.skips).toBe(0);
      // the slow destination receives media again after the stall
      await until(
        async () => (await stat(slow.file)).size,
        (size) => size > stalledSize + 2_000_000,
        "the slow destination receiving again",
        10_000,
      );
    } finally {
      await restream.stop();
      publisher?.kill("SIGKILL");
      await proxy.close();
      await Promise.all([healthy.close(), slow.close()]);
    }
    const healthyTimes = await videoPacketTimes(healthy.file);
    expect(healthyTimes.at(-1)! - healthyTimes[0]!).toBeGreaterThan(12);
    expect(longestGap(healthyTimes)).toBeLessThan(0.5);
    // the slow one lost what it could not take (a jump on its timeline) and went on for seconds after it
    const slowPackets = await videoPackets(slow.file);
    const skipped = longestGap(slowPackets.map((packet) => packet.time));
    expect(skipped).toBeGreaterThan(1);
    const resumed = slowPackets.findIndex(
      (packet, i) => i > 0 && packet.time - slowPackets[i - 1]!.time === skipped,
    );
    expect(slowPackets.at(-1)!.time - slowPackets[resumed]!.time).toBeGreaterThan(2);
    // it started, and resumed, on a keyframe, and the file decodes without an error
    expect([slowPackets[0]!.keyframe, slowPackets[resumed]!.keyframe]).toEqual([true, true]);
    expect(await decodeErrors(slow.file)).toBe("");
    expect(reports.filter((r) => r.state === "errored")).toEqual([]);
  }, 60_000);
});
