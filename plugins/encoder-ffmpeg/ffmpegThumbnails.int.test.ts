// Thumbnails, poster and storyboard made by a real ffmpeg, read back with ffprobe: how many, how big
// (decoded JPEGs), upright and at the display aspect, a poster that is not black, and a storyboard
// whose cues cover the whole duration and point inside their sprite sheet.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import type { Thumbnails } from "../sdk/mediaOutputs.ts";
import { ffmpegThumbnails } from "./ffmpegThumbnails.ts";
import { runCommand } from "./runCommand.ts";

const config = { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" };
let dir: string;
let runs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "thumbnails-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ffprobe(args: readonly string[]): Promise<string> {
  const result = await runCommand("ffprobe", ["-v", "error", ...args], { timeoutMs: 30_000 });
  if (result.exitCode !== 0) throw new Error(result.stderr);
  return result.stdout;
}

/** Width and height of a decoded JPEG. */
async function sizeOf(path: string): Promise<[number, number]> {
  const out = await ffprobe(["-show_entries", "stream=width,height", "-of", "csv=p=0", path]);
  const [w, h] = out.trim().split(",").map(Number);
  return [w ?? 0, h ?? 0];
}

/** Mean luma of a picture, 0–255. */
async function lumaOf(path: string): Promise<number> {
  const out = await ffprobe([
    ...["-f", "lavfi", "-i", `movie=${path.replaceAll(":", "\\:")},signalstats`],
    ...["-show_entries", "frame_tags=lavfi.signalstats.YAVG", "-of", "csv=p=0"],
  ]);
  return Number(out.trim());
}

async function thumbnails(
  input: string,
  options: { intervalSec: number; width: number; storyboard: boolean; durationSec: number },
) {
  runs += 1;
  const outputDir = join(dir, `out-${runs}`);
  const result = await ffmpegThumbnails({ input, outputDir, ...options }, config);
  if (result._tag !== "Thumbnails") throw new Error(result.message);
  return { result, outputDir };
}

interface Cue {
  readonly start: number;
  readonly end: number;
  readonly sheet: string;
  readonly xywh: readonly number[];
}

const seconds = (time: string) => {
  const [h, m, s] = time.split(":").map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
};

function parseVtt(text: string): Cue[] {
  expect(text.startsWith("WEBVTT\n")).toBe(true);
  return text
    .split("\n\n")
    .slice(1)
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const [timing, target] = block.trim().split("\n");
      const match = /^(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})$/.exec(timing ?? "");
      const fragment = /^(sprite-\d+\.jpg)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(target ?? "");
      if (!match || !fragment) throw new Error(`not a storyboard cue: ${block}`);
      return {
        start: seconds(match[1] ?? ""),
        end: seconds(match[2] ?? ""),
        sheet: fragment[1] ?? "",
        xywh: fragment.slice(2).map(Number),
      };
    });
}

async function expectStoryboard(result: Thumbnails, outputDir: string, durationSec: number) {
  if (result.storyboard === null) throw new Error("no storyboard");
  const cues = parseVtt(await readFile(join(outputDir, result.storyboard.vtt), "utf8"));
  expect(cues).toHaveLength(result.thumbnails.length);
  expect(cues[0]?.start).toBe(0);
  expect(cues.at(-1)?.end).toBeCloseTo(durationSec, 3);
  for (const [i, cue] of cues.entries()) {
    expect(cue.end).toBeGreaterThan(cue.start);
    if (i > 0) expect(cue.start).toBe(cues[i - 1]?.end);
  }
  const sheets = new Map<string, [number, number]>();
  for (const sprite of result.storyboard.sprites) sheets.set(sprite, await sizeOf(join(outputDir, sprite)));
  for (const cue of cues) {
    const [x, y, w, h] = cue.xywh as [number, number, number, number];
    const [sheetWidth, sheetHeight] = sheets.get(cue.sheet) ?? [0, 0];
    expect([w, h]).toEqual([result.width, result.height]);
    expect(x + w).toBeLessThanOrEqual(sheetWidth);
    expect(y + h).toBeLessThanOrEqual(sheetHeight);
  }
  return cues;
}

describe("ffmpegThumbnails", () => {
  it("makes one JPEG per interval at the width asked, a poster at the source's size, and a storyboard", async () => {
    const clip = await makeTestClip(dir, "twelve.mp4", { width: 320, height: 240, durationSec: 12, fps: 25 });
    const { result, outputDir } = await thumbnails(clip, {
      intervalSec: 2,
      width: 160,
      storyboard: true,
      durationSec: 12,
    });
    expect(result.thumbnails.map((t) => t.timeSec)).toEqual([0, 2, 4, 6, 8, 10]);
    expect([result.width, result.height]).toEqual([160, 120]);
    for (const t of result.thumbnails) expect(await sizeOf(join(outputDir, t.path))).toEqual([160, 120]);
    expect(await sizeOf(join(outputDir, result.poster))).toEqual([320, 240]);
    expect(result.storyboard?.sprites).toEqual(["sprite-0.jpg"]);
    expect(await sizeOf(join(outputDir, "sprite-0.jpg"))).toEqual([6 * 160, 120]);
    const cues = await expectStoryboard(result, outputDir, 12);
    expect(cues[1]).toEqual({ start: 2, end: 4, sheet: "sprite-0.jpg", xywh: [160, 0, 160, 120] });
  }, 60_000);

  it("fills several 10×10 sheets for a long run of thumbnails", async () => {
    const clip = await makeTestClip(dir, "many.mp4", { width: 160, height: 90, durationSec: 12, fps: 25 });
    const { result, outputDir } = await thumbnails(clip, {
      intervalSec: 0.1,
      width: 32,
      storyboard: true,
      durationSec: 12,
    });
    expect(result.thumbnails).toHaveLength(120);
    expect(result.storyboard?.sprites).toEqual(["sprite-0.jpg", "sprite-1.jpg"]);
    expect(await sizeOf(join(outputDir, "sprite-0.jpg"))).toEqual([320, 180]);
    const cues = await expectStoryboard(result, outputDir, 12);
    expect(cues[100]).toMatchObject({ sheet: "sprite-1.jpg", xywh: [0, 0, 32, 18] });
  }, 60_000);

  it("turns a rotated source upright and keeps its display aspect", async () => {
    const clip = await makeTestClip(dir, "rotated.mp4", {
      width: 320,
      height: 240,
      durationSec: 3,
      rotate: 90,
    });
    const { result, outputDir } = await thumbnails(clip, {
      intervalSec: 1,
      width: 120,
      storyboard: false,
      durationSec: 3,
    });
    expect([result.width, result.height]).toEqual([120, 160]);
    expect(await sizeOf(join(outputDir, result.thumbnails[0]?.path ?? ""))).toEqual([120, 160]);
    expect(await sizeOf(join(outputDir, result.poster))).toEqual([240, 320]);
    expect(result.storyboard).toBeNull();
  }, 60_000);

  it("widens anamorphic pixels to the display aspect", async () => {
    const clip = join(dir, "anamorphic.mp4");
    const made = await runCommand(
      "ffmpeg",
      [
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=360x240:r=25:d=2,setsar=16/9",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        clip,
      ],
      { timeoutMs: 30_000 },
    );
    expect(made.exitCode).toBe(0);
    const { result, outputDir } = await thumbnails(clip, {
      intervalSec: 1,
      width: 320,
      storyboard: false,
      durationSec: 2,
    });
    // 360×240 pixels of 16:9 show 640×240 wide: 320 wide is 120 high.
    expect(await sizeOf(join(outputDir, result.thumbnails[0]?.path ?? ""))).toEqual([320, 120]);
  }, 60_000);

  it.each([
    [2, 18],
    // black for longer than the first tenth the poster is looked for in
    [8, 4],
  ])(
    "picks a poster that is not black when the video starts with %i s of black",
    async (black, rest) => {
      const clip = join(dir, `fade-in-${black}.mp4`);
      const made = await runCommand(
        "ffmpeg",
        [
          ...["-v", "error", "-y", "-f", "lavfi", "-i", `color=black:s=320x240:r=25:d=${black}`],
          ...["-f", "lavfi", "-i", `testsrc2=s=320x240:r=25:d=${rest}`],
          ...[
            "-filter_complex",
            "[0][1]concat=n=2:v=1:a=0,format=yuv420p",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            clip,
          ],
        ],
        { timeoutMs: 30_000 },
      );
      expect(made.exitCode).toBe(0);
      const { result, outputDir } = await thumbnails(clip, {
        intervalSec: 5,
        width: 160,
        storyboard: false,
        durationSec: 20,
      });
      expect(await lumaOf(join(outputDir, result.thumbnails[0]?.path ?? ""))).toBeLessThan(5);
      expect(await lumaOf(join(outputDir, result.poster))).toBeGreaterThan(50);
    },
    60_000,
  );

  it("fails as the input's fault for a file that is not media", async () => {
    const bogus = join(dir, "bogus.mp4");
    await runCommand("sh", ["-c", `echo not media > '${bogus}'`], { timeoutMs: 5_000 });
    const result = await ffmpegThumbnails(
      {
        input: bogus,
        outputDir: join(dir, "bogus"),
        intervalSec: 1,
        width: 160,
        storyboard: true,
        durationSec: 1,
      },
      config,
    );
    expect(result).toMatchObject({ _tag: "MediaFailure", exitClass: "input" });
  });
});
