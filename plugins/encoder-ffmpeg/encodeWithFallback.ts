// A GPU that passed its test encode at start can still fail later (driver reset, session limit, a
// frame size it refuses): the attempt is encoded again at once in software instead of failing the task.
import type { EncodeOptions, EncodeOutcome, EncodePlan } from "../sdk/encoderPlugin.ts";

export type EncodeOnce = (plan: EncodePlan, options: EncodeOptions) => Promise<EncodeOutcome>;

export async function encodeWithFallback(
  plan: EncodePlan,
  options: EncodeOptions,
  encodeOnce: EncodeOnce,
): Promise<EncodeOutcome> {
  const first = await encodeOnce(plan, options);
  const { fallbackVideo, ...software } = plan;
  // A broken source breaks every encoder alike, and a cancel means stop.
  if (
    first._tag === "Encoded" ||
    !plan.video.hardware ||
    fallbackVideo === undefined ||
    first.exitClass === "input" ||
    first.exitClass === "cancelled"
  ) {
    return first;
  }
  // Same attempt folder and name: the failed run left no partial output behind.
  const second = await encodeOnce({ ...software, video: fallbackVideo }, options);
  if (second._tag === "EncodeFailed") {
    return { ...second, message: `${second.message} (after ${plan.video.encoder} failed: ${first.message})` };
  }
  return {
    ...second,
    fallback: { from: plan.video.encoder, exitClass: first.exitClass, message: first.message },
  };
}
