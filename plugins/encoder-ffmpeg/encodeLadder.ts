// The tiers of a ladder over one cut of the source. Where they can share it, one ffmpeg decodes the source
// once and feeds every tier's filters and encoder, as the one-command ladder recipe does, and each output
// is verified on its own; tiers that cannot (a hardware encoder, a subtitle overlay) are encoded one
// after another, each with its own hardware fallback.
import { encodeOneByOne } from "../sdk/encodeOneByOne.ts";
import type { EncodedLadder, EncodeFailed, EncodeOptions, EncodePlan } from "../sdk/encoderPlugin.ts";
import { buildLadderArgs, sharesOneDecode } from "./buildFfmpegArgs.ts";
import type { EncodeOnce } from "./encodeWithFallback.ts";
import { type FfmpegConfig, runFfmpegOutputs } from "./encodeWithFfmpeg.ts";
import { verifyOutput } from "./verifyOutput.ts";

export async function encodeLadder(
  plans: readonly EncodePlan[],
  options: EncodeOptions,
  config: FfmpegConfig,
  encodeOne: EncodeOnce,
): Promise<EncodedLadder | EncodeFailed> {
  const [first] = plans;
  if (first === undefined) throw new TypeError("a ladder needs at least one plan");
  if (sharesOneDecode(plans)) {
    return runFfmpegOutputs(
      {
        inputUrl: first.input.url,
        durationSec: first.expected.durationSec,
        outputs: plans.map((plan) => ({
          container: plan.container.format,
          verify: (path: string) => verifyOutput(path, plan.expected, { ffprobePath: config.ffprobePath }),
          encoder: plan.video.encoder,
        })),
        args: (paths) => buildLadderArgs(plans, paths),
      },
      options,
      config,
    );
  }
  return encodeOneByOne(encodeOne, plans, options);
}
