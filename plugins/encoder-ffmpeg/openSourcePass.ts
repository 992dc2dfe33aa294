// The way one ffmpeg/ffprobe run reaches its source: a local one directly, an http(s) one only through
// a pass of the egress proxy (its proxy URL in the run's environment), never without the proxy.
import type { EgressFailure, EgressPass, SourceEgress } from "../sdk/sourceEgress.ts";
import { isRemoteInput, proxyEnv } from "./ffmpegInput.ts";

export interface SourcePass {
  /** The run's environment: the proxy's URL for a remote source, nothing to add for a local one. */
  readonly env: { readonly env?: NodeJS.ProcessEnv };
  /** What the proxy refused or could not reach during the run, if anything. */
  failure(): EgressFailure | undefined;
  close(): void;
}

/** A pass for a run over `input`, or why there is none (no proxy, or it cannot start). */
export async function openSourcePass(
  input: string,
  egress: SourceEgress | undefined,
): Promise<SourcePass | { readonly _tag: "NoPass"; readonly message: string }> {
  if (!isRemoteInput(input)) return { env: {}, failure: () => undefined, close: () => {} };
  if (egress === undefined) {
    return {
      _tag: "NoPass",
      message: "http(s) sources are read only through the egress proxy, and there is none",
    };
  }
  let pass: EgressPass;
  try {
    pass = await egress.open();
  } catch (error) {
    return { _tag: "NoPass", message: `the egress proxy cannot start: ${(error as Error).message}` };
  }
  return { env: { env: proxyEnv(pass.proxyUrl) }, failure: () => pass.failure(), close: () => pass.close() };
}
