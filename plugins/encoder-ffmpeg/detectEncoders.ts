// What this machine can really encode with. `ffmpeg -encoders` lists what the build supports
// (NVENC shows up without any GPU), so every candidate must pass a one-frame test encode, run with
// the very device set-up and options a real encode would use, before a worker may advertise it.
import type { EncodeProfile, EncoderCapabilities, ProvenEncoder } from "../sdk/encoderPlugin.ts";
import { type EncoderRecipe, encoderRecipes } from "./encoderRecipes.ts";
import { runCommand } from "./runCommand.ts";

const hwaccelCandidates = ["cuda", "vaapi", "qsv", "videotoolbox", "d3d11va"];

export async function detectEncoders(options: {
  readonly ffmpegPath: string;
  /** Per test encode; a wedged driver must not hold up worker start. */
  readonly timeoutMs?: number;
}): Promise<EncoderCapabilities> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const run = (args: readonly string[]) =>
    runCommand(options.ffmpegPath, ["-hide_banner", "-nostdin", ...args], { timeoutMs });

  const [listing, hwaccelListing] = await Promise.all([run(["-encoders"]), run(["-hwaccels"])]);
  const listed = new Set(
    listing.stdout.split("\n").flatMap((line) => {
      const match = /^\s*[VAS][A-Z.]{5}\s+(\S+)/.exec(line);
      return match?.[1] ? [match[1]] : [];
    }),
  );
  const listedHwaccels = new Set(
    hwaccelListing.stdout
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.endsWith(":")),
  );

  const candidates = encoderRecipes.filter((recipe) => listed.has(recipe.name));
  const devices = hwaccelCandidates.filter((device) => listedHwaccels.has(device));
  const [encoderProofs, deviceProofs] = await Promise.all([
    Promise.all(candidates.map((recipe) => run(proofArgs(recipe)))),
    Promise.all(
      devices.map((device) =>
        run([
          "-v",
          "error",
          "-init_hw_device",
          device,
          "-f",
          "lavfi",
          "-i",
          "nullsrc=s=64x64:d=0.04",
          "-frames:v",
          "1",
          "-f",
          "null",
          "-",
        ]),
      ),
    ),
  ]);
  const encoders: ProvenEncoder[] = candidates
    .filter((_, i) => encoderProofs[i]?.exitCode === 0)
    .map((recipe) => ({ name: recipe.name, codec: recipe.codec, hardware: recipe.device !== null }));
  const hwaccels = devices.filter((_, i) => deviceProofs[i]?.exitCode === 0);

  return {
    encoders,
    hwaccels,
    audioCodecs: [...(listed.has("aac") ? ["aac"] : []), ...(listed.has("libopus") ? ["opus"] : [])],
    containers: encoders.length > 0 ? ["mp4", "mkv", "webm"] : [],
  };
}

function proofArgs(recipe: EncoderRecipe): string[] {
  const video: EncodeProfile["video"] = {
    codec: recipe.codec,
    maxWidth: 256,
    maxHeight: 256,
    bitrateKbps: 500,
    maxrateKbps: 600,
    bufsizeKbps: 1000,
    preset: recipe.codec === "av1" ? "12" : "ultrafast",
    ...(recipe.codec === "h264" ? { profile: "high" } : {}),
    maxFps: 25,
    keyframeIntervalSec: 2,
  };
  return [
    "-v",
    "error",
    ...recipe.deviceOptions,
    "-f",
    "lavfi",
    "-i",
    "color=c=black:s=256x256:r=25",
    "-frames:v",
    "1",
    "-vf",
    ["format=yuv420p", ...recipe.uploadFilters].join(","),
    "-c:v",
    recipe.name,
    ...recipe.options(video, 50).flat(),
    "-f",
    "null",
    "-",
  ];
}
