// What a worker logs when its GPU failed an encode and the plugin made the output in software instead.
import type { EncodeOutcome } from "../../plugins/sdk/encoderPlugin.ts";

export const fallbackNotice = (outcome: EncodeOutcome): string | null =>
  outcome._tag === "Encoded" && outcome.fallback
    ? `${outcome.fallback.from} failed (${outcome.fallback.exitClass}: ${outcome.fallback.message}); encoded in software with ${outcome.encoder ?? "the fallback encoder"}`
    : null;
