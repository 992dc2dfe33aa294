// The spec's Transcode stream (plugins/sdk/transcode.ts) over the real ffmpeg encoder.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import type { EncodePlan } from "../sdk/encoderPlugin.ts";
import { type TranscodeUpdate, transcode } from "../sdk/transcode.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { createFfmpegEncoder } from "./createFfmpegEncoder.ts";
import { pidDirectory } from "./recordFfmpegPid.ts";

let dir: string;
let plan: EncodePlan;
const stateDir = () => join(dir, "state");
const encoder = () => createFfmpegEncoder({ stateDir: stateDir() });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "transcode-"));
  const clip = await makeTestClip(dir, "clip.mp4", {
    width: 640,
    height: 360,
    durationSec: 6,
    audio: ["sine"],
  });
  const source = await encoder().probe(clip);
  if (source._tag !== "SourceInfo") throw new Error(source.message);
  plan = await encoder().plan(builtInProfiles["480p_fast"], source);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("transcode", () => {
  it("streams progress while ffmpeg runs and ends with the outcome, once, last", async () => {
    const updates: TranscodeUpdate[] = [];
    for await (const update of transcode(encoder(), plan, { workDir: join(dir, "whole"), attemptId: "a1" })) {
      updates.push(update);
    }
    const last = updates.at(-1)!;
    expect(last).toMatchObject({ _tag: "Encoded", durationSec: expect.closeTo(6, 0) });
    expect(updates.slice(0, -1).length).toBeGreaterThan(0);
    for (const update of updates.slice(0, -1)) {
      expect(update).toMatchObject({ _tag: "EncodeProgress", pct: expect.any(Number) });
    }
  });

  it("kills the encode when the reader stops, and leaves no process and no output", async () => {
    const clip = await makeTestClip(dir, "long.mp4", { width: 640, height: 360, durationSec: 60 });
    const source = await encoder().probe(clip);
    if (source._tag !== "SourceInfo") throw new Error(source.message);
    const long = await encoder().plan(builtInProfiles["480p_fast"], source);
    const workDir = join(dir, "stopped");
    let pid: number | undefined;
    for await (const update of transcode(encoder(), long, { workDir, attemptId: "a2" })) {
      expect(update._tag).toBe("EncodeProgress");
      // the encoder records its ffmpeg's pid just after the spawn: stop reading once it has
      const [record] = await readdir(pidDirectory(stateDir())).catch(() => []);
      if (record === undefined) continue;
      pid = JSON.parse(await readFile(join(pidDirectory(stateDir()), record), "utf8")).pid;
      break;
    }
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid!, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
    expect(await readdir(pidDirectory(stateDir()))).toEqual([]);
    expect(await readdir(workDir).catch(() => [])).toEqual([]);
  });
});
