// The inputs of an ABR package, made with ffmpeg's lavfi: a ladder of video-only H.264 renditions with
// keyframes on one fixed grid (B-frames on, as a real encode has them), AAC and Opus audio tracks and
// WebVTT subtitles, as the encode workers hand them to the packager.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCommand } from "../../plugins/encoder-ffmpeg/runCommand.ts";
import type { PackageAudio, PackageRendition, PackageSubtitle } from "../../plugins/sdk/mediaOutputs.ts";

const ffmpegPath = () => process.env.FFMPEG_PATH ?? "ffmpeg";

export interface LadderInputs {
  readonly renditions: PackageRendition[];
  readonly audio: PackageAudio[];
  readonly subtitles: PackageSubtitle[];
}

/** One H.264 rendition, video only, keyframes exactly every `keyframeSec` and nowhere else. */
export async function makeRendition(
  dir: string,
  name: string,
  spec: { width: number; height: number; durationSec: number; keyframeSec: number; bitrateK: number },
): Promise<PackageRendition> {
  const path = join(dir, `${name}.mp4`);
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `testsrc2=s=${spec.width}x${spec.height}:r=30:d=${spec.durationSec}`,
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-b:v",
    `${spec.bitrateK}k`,
    "-pix_fmt",
    "yuv420p",
    "-force_key_frames",
    `expr:gte(t,n_forced*${spec.keyframeSec})`,
    "-sc_threshold",
    "0",
    "-x264-params",
    `keyint=${spec.keyframeSec * 30}:min-keyint=${spec.keyframeSec * 30}`,
    path,
  ]);
  return { name, path, codec: "h264" };
}

export async function makeLadderInputs(dir: string, durationSec = 12): Promise<LadderInputs> {
  const tiers = [
    { name: "360p", width: 640, height: 360, bitrateK: 900 },
    { name: "240p", width: 426, height: 240, bitrateK: 400 },
    { name: "144p", width: 256, height: 144, bitrateK: 150 },
  ];
  const renditions = [];
  for (const tier of tiers)
    renditions.push(await makeRendition(dir, tier.name, { ...tier, durationSec, keyframeSec: 2 }));

  const eng = join(dir, "eng.m4a");
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `sine=f=440:sample_rate=48000:d=${durationSec}`,
    "-ac",
    "2",
    "-c:a",
    "aac",
    "-b:a",
    "96k",
    eng,
  ]);
  const fra = join(dir, "fra.webm");
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `sine=f=660:sample_rate=48000:d=${durationSec}`,
    "-c:a",
    "libopus",
    "-b:a",
    "64k",
    fra,
  ]);

  const cues = (words: readonly string[]) =>
    `WEBVTT\n\n${words.map((word, i) => `${stamp(i * 3)} --> ${stamp(i * 3 + 2.5)}\n${word}\n`).join("\n")}`;
  const engVtt = join(dir, "eng.vtt");
  await writeFile(engVtt, cues(["One", "Two", "Three", "Four"]));
  const fraVtt = join(dir, "fra.vtt");
  await writeFile(fraVtt, cues(["Un", "Deux", "Trois", "Quatre"]));

  return {
    renditions,
    audio: [
      { path: eng, language: "eng", name: "English", isDefault: true },
      { path: fra, language: "fra", name: 'Français "commentaire" & <b>', isDefault: false },
    ],
    subtitles: [
      { path: engVtt, language: "eng", name: "English", isDefault: false, forced: false },
      { path: fraVtt, language: "fra", name: "Français", isDefault: false, forced: false },
    ],
  };
}

const stamp = (sec: number) => {
  const ms = Math.round(sec * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
};

async function ffmpeg(args: readonly string[]): Promise<void> {
  const result = await runCommand(ffmpegPath(), ["-hide_banner", "-nostdin", "-v", "error", "-y", ...args], {
    timeoutMs: 120_000,
  });
  if (result.exitCode !== 0)
    throw new Error(`making a package input failed: ${result.stderr || result.spawnError}`);
}
