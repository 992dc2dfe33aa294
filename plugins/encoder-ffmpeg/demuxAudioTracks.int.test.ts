import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demuxAudioTracks } from "./demuxAudioTracks.ts";

const run = promisify(execFile);
const config = {
  ffmpegPath: process.env.FFMPEG_PATH ?? "ffmpeg",
  ffprobePath: process.env.FFPROBE_PATH ?? "ffprobe",
};
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "demux-audio-"));
  await run(config.ffmpegPath, [
    ...["-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:d=2", "-f", "lavfi", "-i", "sine=f=660:d=2"],
    ...[
      "-map",
      "0",
      "-map",
      "1",
      "-c:a",
      "aac",
      "-metadata:s:a:0",
      "language=eng",
      "-metadata:s:a:1",
      "language=fra",
    ],
    ...["-disposition:a:0", "default", "-disposition:a:1", "0"],
    join(dir, "audio.mp4"),
  ]);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("demuxAudioTracks", () => {
  it("splits every track into its own file with its language and default flag", async () => {
    const tracks = await demuxAudioTracks(config, join(dir, "audio.mp4"), join(dir, "out"));
    if ("_tag" in tracks) throw new Error(tracks.message);
    expect(tracks.map(({ language, title, isDefault }) => ({ language, title, isDefault }))).toEqual([
      { language: "eng", title: null, isDefault: true },
      { language: "fra", title: null, isDefault: false },
    ]);
    for (const track of tracks) {
      const { stdout } = await run(config.ffprobePath, [
        ...["-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "csv=p=0", track.path],
      ]);
      expect(stdout.trim()).toBe("aac,audio");
    }
  });

  it("says a file that is not media is the input's fault", async () => {
    const result = await demuxAudioTracks(config, join(dir, "missing.mp4"), join(dir, "out2"));
    expect(result).toMatchObject({ _tag: "MediaFailure", exitClass: "input" });
  });
});
