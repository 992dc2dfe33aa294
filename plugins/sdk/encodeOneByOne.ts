// Several plans encoded one after another into one attempt's folder (output i as `<attemptId>-<i>`), for
// tiers that cannot share a decode or an encoder that makes one output a run. Progress counts all of
// them: plan i's ticks are its share of the whole, and the ETA adds the plans still to come.
import type {
  Encoded,
  EncodedLadder,
  EncodeFailed,
  EncodeOptions,
  EncodeOutcome,
  EncodePlan,
} from "./encoderPlugin.ts";

export async function encodeOneByOne(
  encode: (plan: EncodePlan, options: EncodeOptions) => Promise<EncodeOutcome>,
  plans: readonly EncodePlan[],
  options: EncodeOptions,
): Promise<EncodedLadder | EncodeFailed> {
  const outputs: Encoded[] = [];
  for (const [index, plan] of plans.entries()) {
    const later = plans.length - index - 1;
    const outcome = await encode(plan, {
      ...options,
      attemptId: `${options.attemptId}-${index}`,
      onProgress: (tick) =>
        options.onProgress?.({
          ...tick,
          pct: (index * 100 + tick.pct) / plans.length,
          etaSeconds:
            tick.etaSeconds === null || !tick.speed
              ? null
              : tick.etaSeconds + (later * plan.expected.durationSec) / tick.speed,
        }),
    });
    if (outcome._tag === "EncodeFailed") return outcome;
    outputs.push(outcome);
  }
  return { _tag: "EncodedLadder", outputs };
}
