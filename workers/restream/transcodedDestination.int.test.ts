// A destination that takes the stream re-encoded: a file restreamed to two real RTMP receivers, one by
// stream copy and one re-encoded at 500 kb/s for a platform with a bitrate cap. The copy keeps the
// source's bytes; the re-encode arrives as H.264 and AAC near its rate, a keyframe every 2 s, whole.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DestinationState } from "../../schemas/events/restreamEvents.ts";
import { until } from "../../test/support/kernelApi.ts";
import { freeTcpPort, startRtmpReceiver } from "../../test/support/rtmpReceiver.ts";
import { startRestreamRun } from "./restreamRun.ts";

const run = promisify(execFile);
const CLIP_SECONDS = 8;

let dir: string;
let clip: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-transcoded-destination-"));
  clip = join(dir, "clip.mp4");
  // noise keeps the source expensive (about 6 Mb/s), so that a re-encode at 500 kb/s is plainly another stream
  await run("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...[
      "-f",
      "lavfi",
      "-i",
      `testsrc2=s=640x360:r=25:d=${CLIP_SECONDS},noise=alls=20:allf=t+u,format=yuv420p`,
    ],
    ...["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${CLIP_SECONDS}`],
    ...[
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-g",
      "25",
      "-b:v",
      "6M",
      "-maxrate",
      "6M",
      "-bufsize",
      "3M",
    ],
    ...["-c:a", "aac", "-b:a", "192k", "-shortest", clip],
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Packets {
  codec: string;
  /** Bits a second over the stream's span. */
  bitrate: number;
  spanSec: number;
  keyframeTimes: number[];
}

async function packetsOf(file: string, stream: "v:0" | "a:0"): Promise<Packets> {
  const { stdout } = await run("ffprobe", [
    ...[
      "-v",
      "error",
      "-select_streams",
      stream,
      "-show_entries",
      "stream=codec_name:packet=pts_time,size,flags",
    ],
    ...["-of", "json", file],
  ]);
  const parsed = JSON.parse(stdout) as {
    streams: { codec_name: string }[];
    packets: { pts_time: string; size: string; flags: string }[];
  };
  const times = parsed.packets.map((p) => Number(p.pts_time)).sort((a, b) => a - b);
  const spanSec = times.at(-1)! - times[0]!;
  const bytes = parsed.packets.reduce((sum, p) => sum + Number(p.size), 0);
  return {
    codec: parsed.streams[0]?.codec_name ?? "",
    bitrate: (bytes * 8) / Math.max(spanSec, 0.001),
    spanSec,
    keyframeTimes: parsed.packets
      .filter((p) => p.flags.startsWith("K"))
      .map((p) => Number(p.pts_time))
      .sort((a, b) => a - b),
  };
}

describe("a destination that takes the stream re-encoded", () => {
  it("gets H.264 and AAC at its rates with a keyframe every 2 s, while another takes the copy", async () => {
    const [copyPort, capPort] = [await freeTcpPort(), await freeTcpPort()];
    const copy = startRtmpReceiver(copyPort, join(dir, "copy.flv"));
    const capped = startRtmpReceiver(capPort, join(dir, "capped.flv"));
    await Promise.all([copy.listening(), capped.listening()]);
    const reports: { destinationId: string; state: DestinationState }[] = [];
    const ended: string[] = [];
    const restream = startRestreamRun({
      runId: "5e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b",
      input: { url: clip, live: false, loop: false, realtime: true },
      destinations: [
        { destinationId: "0b1c2d3e-4f5a-4b6c-8d7e-8f9a0b1c2d3e", url: copy.url, masked: "copy" },
        {
          destinationId: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
          url: capped.url,
          masked: "capped",
          transcode: { videoBitrateKbps: 500, audioBitrateKbps: 64 },
        },
      ],
      ffmpegPath: "ffmpeg",
      report: (destinationId, state) => reports.push({ destinationId, state }),
      ended: (reason) => ended.push(reason),
      log: (message) => process.env.RESTREAM_TEST_LOG && console.log(message),
    });
    try {
      await until(
        async () => ended,
        (e) => e.length > 0,
        "the file ended",
        60_000,
      );
    } finally {
      await restream.stop();
      // each receiver ends with its publisher: wait for both files to be written out
      await Promise.all([copy.close(), capped.close()]);
    }
    expect(ended).toEqual(["input_ended"]);
    for (const id of ["0b1c2d3e-4f5a-4b6c-8d7e-8f9a0b1c2d3e", "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"]) {
      expect(reports.filter((r) => r.destinationId === id).map((r) => r.state)).toContain("live");
      expect(reports.filter((r) => r.destinationId === id && r.state === "errored")).toEqual([]);
    }
    const source = await packetsOf(clip, "v:0");
    const [copied, reencoded, reencodedAudio] = await Promise.all([
      packetsOf(copy.file, "v:0"),
      packetsOf(capped.file, "v:0"),
      packetsOf(capped.file, "a:0"),
    ]);
    // the copy is the source's own bytes
    expect(copied.bitrate / source.bitrate).toBeGreaterThan(0.9);
    expect(copied.bitrate / source.bitrate).toBeLessThan(1.1);
    // the re-encode holds its rate, is whole, and has a keyframe every 2 s
    expect(reencoded.codec).toBe("h264");
    expect(reencodedAudio.codec).toBe("aac");
    expect(reencoded.bitrate).toBeLessThan(500_000 * 1.5);
    expect(reencoded.bitrate).toBeGreaterThan(500_000 * 0.5);
    expect(Math.abs(reencoded.spanSec - source.spanSec)).toBeLessThan(0.5);
    expect(reencodedAudio.bitrate).toBeLessThan(64_000 * 1.5);
    const gaps = reencoded.keyframeTimes.slice(1).map((t, i) => t - reencoded.keyframeTimes[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    for (const gap of gaps) expect(Math.abs(gap - 2)).toBeLessThan(0.1);
  }, 90_000);
});
