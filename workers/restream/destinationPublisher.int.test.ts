// The destinations that stay on ffmpeg: SRT, published to a real `ffmpeg` SRT listener from a restream run
// of a looping file, recorded and decodable, and nothing of the run left after stop.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DestinationState } from "../../schemas/events/restreamEvents.ts";
import { until } from "../../test/support/kernelApi.ts";
import { makeClip, probe } from "../../test/support/mediaClip.ts";
import { freeTcpPort } from "../../test/support/rtmpReceiver.ts";
import { startRestreamRun } from "./restreamRun.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-restream-srt-"));
  await makeClip(join(dir, "loop.mp4"), { seconds: 2, width: 160, height: 120 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("an SRT destination", () => {
  it("is published by ffmpeg to an SRT listener and goes live", async () => {
    const port = await freeTcpPort(); // SRT is UDP; a port free for TCP is a good guess on loopback
    const file = join(dir, "srt.ts");
    const receiver: ChildProcess = spawn(
      "ffmpeg",
      [
        ...["-hide_banner", "-loglevel", "error", "-y", "-i", `srt://127.0.0.1:${port}?mode=listener`],
        ...["-c", "copy", "-f", "mpegts", file],
      ],
      { stdio: "ignore" },
    );
    const exited = new Promise((resolve) => receiver.once("close", resolve));
    const states: DestinationState[] = [];
    const run = startRestreamRun({
      runId: "3f0c1b8e-5d1c-4f3e-9a55-7c0d2b4e6a10",
      input: { url: join(dir, "loop.mp4"), live: false, loop: true, realtime: true },
      destinations: [
        { destinationId: "d", url: `srt://127.0.0.1:${port}?streamid=key-0001`, masked: "srt://127.0.0.1" },
      ],
      ffmpegPath: "ffmpeg",
      report: (_id, state) => states.push(state),
      ended: () => {},
      log: () => {},
    });
    try {
      await until(
        async () => states.at(-1),
        (state) => state === "live",
        "live",
        20_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 2500));
    } finally {
      await run.stop();
      const killer = setTimeout(() => receiver.kill("SIGKILL"), 5000);
      receiver.kill("SIGINT");
      await exited;
      clearTimeout(killer);
    }
    expect(states).toEqual(expect.arrayContaining(["connecting", "live", "idle"]));
    expect((await probe(file)).video?.codec).toBe("h264");
  }, 40_000);
});
