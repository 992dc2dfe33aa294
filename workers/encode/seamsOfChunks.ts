// A split job's seam figures from what its chunks measured of themselves right after their encodes.
import type { TaskState } from "../../domain/job/jobState.ts";
import { combineChunkEdges } from "../../plugins/sdk/combineChunkEdges.ts";
import type { SeamReport } from "../../plugins/sdk/encoderPlugin.ts";
import type { SeamSsimFailed } from "../../plugins/sdk/splitEncoding.ts";

/** Where each chunk after the first starts in the output, in frames of the output's grid. */
export const seamFramesOf = (chunks: readonly TaskState[]): number[] =>
  chunks.slice(1).map((chunk) => chunk.chunk?.firstFrame ?? 0);

/**
 * The seam figures from the chunks' own, without decoding anything; null when a chunk brought none (it
 * was encoded by a worker that does not measure, or before chunks did), so the output must be measured.
 */
export function seamsOfChunks(
  chunks: readonly TaskState[],
  frameRate: string,
): SeamReport | SeamSsimFailed | null {
  const edges = chunks.map((chunk) => chunk.edgeSsim);
  if (edges.some((edge) => edge === null)) return null;
  const unmeasured = chunks.find((chunk) => chunk.edgeSsim?.unmeasured !== undefined);
  if (unmeasured !== undefined) {
    return {
      _tag: "SeamSsimFailed",
      message: `chunk ${unmeasured.sequenceIndex} could not measure its edges: ${unmeasured.edgeSsim?.unmeasured}`,
    };
  }
  const [numerator = 0, denominator = 1] = frameRate.split("/").map(Number);
  const seamsSec = seamFramesOf(chunks).map((frame) => frame / (numerator / denominator));
  return combineChunkEdges(
    edges.flatMap((edge) => (edge === null ? [] : [edge])),
    seamsSec,
  );
}
