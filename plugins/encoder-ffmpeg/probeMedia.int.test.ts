import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEgressProxy } from "../../infra/egress/createEgressProxy.ts";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import { buildFfmpegArgs } from "./buildFfmpegArgs.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { proxyEnv } from "./ffmpegInput.ts";
import { planEncode } from "./planEncode.ts";
import { probeMedia } from "./probeMedia.ts";
import { runCommand } from "./runCommand.ts";

let dir: string;
const probe = (input: string) => probeMedia(input, { ffprobePath: process.env.FFPROBE_PATH ?? "ffprobe" });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "probe-media-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("probeMedia with a real ffprobe", () => {
  it("reads a real clip: duration, size, video, first audio track, track count", async () => {
    const clip = await makeTestClip(dir, "two-tracks.mp4", { durationSec: 1, audio: ["sine", "silence"] });
    const source = await probe(clip);
    expect(source).toMatchObject({
      _tag: "SourceInfo",
      input: clip,
      durationSec: 1,
      video: {
        index: 0,
        codec: "h264",
        width: 320,
        height: 240,
        frameRate: "30/1",
        rotation: 0,
        pixFmt: "yuv420p",
      },
      audio: { index: 1, codec: "aac", sampleRate: 48000 },
      audioTrackCount: 2,
    });
    expect(source._tag === "SourceInfo" && source.sizeBytes).toBeGreaterThan(0);
  });

  it("fails with not_media for random bytes, whatever the file is called", async () => {
    // Seeded, so the junk is the same on every run (some random bytes happen to parse as lyrics).
    let block = createHash("sha256").update("webencode").digest();
    const chunks: Buffer[] = [];
    for (let i = 0; i < 2048; i++) {
      block = createHash("sha256").update(block).digest();
      chunks.push(block);
    }
    for (const name of ["random.mp4", "random.bin", "random.mkv"]) {
      const path = join(dir, name);
      await writeFile(path, Buffer.concat(chunks));
      expect(await probe(path), name).toMatchObject({ _tag: "ProbeFailure", reason: "not_media" });
    }
    const unseeded = join(dir, "unseeded.mp4");
    await writeFile(unseeded, randomBytes(64 * 1024));
    expect(await probe(unseeded)).toMatchObject({ _tag: "ProbeFailure" });
  });

  it("fails with truncated for an mp4 cut before its index (an interrupted upload)", async () => {
    const clip = await makeTestClip(dir, "interrupted.mp4", { durationSec: 2, audio: ["sine"] });
    const bytes = await readFile(clip);
    await writeFile(clip, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const failure = await probe(clip);
    expect(failure).toMatchObject({ _tag: "ProbeFailure", reason: "truncated" });
    expect(failure._tag === "ProbeFailure" && failure.message).toMatch(/moov atom not found/);
  });

  it("fails with no_video for an audio-only file", async () => {
    const clip = await makeTestClip(dir, "audio-only.mp4", { durationSec: 1, audio: ["sine"] });
    const audioOnly = join(dir, "audio-only.m4a");
    await runCommand("ffmpeg", ["-v", "error", "-i", clip, "-vn", "-c", "copy", audioOnly], {
      timeoutMs: 30_000,
    });
    expect(await probe(audioOnly)).toMatchObject({ _tag: "ProbeFailure", reason: "no_video" });
  });

  it("fails with not_found for a missing file, and refuses protocols off the whitelist", async () => {
    expect(await probe(join(dir, "nothing-here.mp4"))).toMatchObject({
      _tag: "ProbeFailure",
      reason: "not_found",
    });
    expect(await probe("rtmp://127.0.0.1:1/live")).toMatchObject({
      _tag: "ProbeFailure",
      reason: "not_media",
    });
  });

  it("reads an http source but follows no redirect, with ffprobe and with ffmpeg", async () => {
    const clip = await makeTestClip(dir, "served.mp4", { durationSec: 1, audio: ["sine"] });
    const bytes = await readFile(clip);
    const server = createServer((req, res) => {
      if (req.url === "/clip.mp4") {
        // ffmpeg seeks within an mp4 with Range requests
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
        if (!range) return res.writeHead(200, { "content-length": bytes.length }).end(bytes);
        const start = Number(range[1]);
        const end = range[2] ? Number(range[2]) : bytes.length - 1;
        res
          .writeHead(206, {
            "content-range": `bytes ${start}-${end}/${bytes.length}`,
            "content-length": end - start + 1,
          })
          .end(bytes.subarray(start, end + 1));
      } else if (req.url === "/moved.mp4") res.writeHead(302, { location: "/clip.mp4" }).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Loopback is refused unless listed: the test server is.
    const egress = createEgressProxy({ allowHosts: ["127.0.0.1"] });
    const probe = (input: string) => probeMedia(input, { ffprobePath: "ffprobe", egress });
    try {
      expect(
        await probeMedia(`${origin}/clip.mp4`, { ffprobePath: "ffprobe" }),
        "no egress, no fetch",
      ).toMatchObject({
        _tag: "ProbeFailure",
      });
      // the control: the same server, no redirect
      const served = await probe(`${origin}/clip.mp4`);
      expect(served).toMatchObject({ _tag: "SourceInfo", durationSec: 1 });
      if (served._tag !== "SourceInfo") return;
      const httpPlan = (url: string) => planEncode(builtInProfiles["480p_fast"], { ...served, input: url });
      expect(await probe(`${origin}/moved.mp4`)).toMatchObject({ _tag: "ProbeFailure" });
      const pass = await egress.open();
      const encode = (url: string) => {
        const args = buildFfmpegArgs(httpPlan(url), join(dir, "out.mp4"));
        return runCommand("ffmpeg", args, { timeoutMs: 60_000, env: proxyEnv(pass.proxyUrl) });
      };
      const ok = await encode(`${origin}/clip.mp4`);
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect((await encode(`${origin}/moved.mp4`)).exitCode).not.toBe(0);
    } finally {
      await egress.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("fails with probe_error when ffprobe cannot run", async () => {
    expect(await probeMedia(join(dir, "x.mp4"), { ffprobePath: join(dir, "no-ffprobe") })).toMatchObject({
      _tag: "ProbeFailure",
      reason: "probe_error",
    });
  });
});
