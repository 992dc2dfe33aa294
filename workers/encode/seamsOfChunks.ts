// A split job's seam figures from what its chunks measured of themselves right after their encodes.
import type { TaskState } from "../../domain/job/jobState.ts";
import { combineChunkEdges } from "../../plugins/sdk/combineChunkEdges.ts";
import type { SeamReport } from "../../plugins/sdk/encoderPlugin.ts";
import type { SeamSsimFailed } from "../../plugins/sdk/splitEncoding.ts";
import type { ChunkEdgeSsimData } from "../../schemas/events/jobEvents.ts";

/** What a chunk recorded for one rendition's stitch: its file, and that file's share of the seam figures. */
export interface ChunkOutput {
  readonly key: string | null;
  readonly sizeBytes: number | null;
  readonly checksum: string | null;
  readonly edgeSsim: ChunkEdgeSsimData | null;
}

/**
 * A chunk's output for the stitch of `rendition`: its one file, or, when it made every tier of its range
 * from one decode, its file of that tier (null when it recorded none).
 */
export function chunkOutputOf(chunk: TaskState, rendition: string | null): ChunkOutput | null {
  if (chunk.renditions.length === 0)
    return {
      key: chunk.outputKey,
      sizeBytes: chunk.sizeBytes,
      checksum: chunk.checksum,
      edgeSsim: chunk.edgeSsim,
    };
  const file = chunk.files.find((candidate) => candidate.rendition === rendition);
  return file === undefined
    ? null
    : { key: file.key, sizeBytes: file.sizeBytes, checksum: file.checksum, edgeSsim: file.edgeSsim ?? null };
}

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
  rendition: string | null = null,
): SeamReport | SeamSsimFailed | null {
  const edges = chunks.map((chunk) => chunkOutputOf(chunk, rendition)?.edgeSsim ?? null);
  if (edges.some((edge) => edge === null)) return null;
  const at = edges.findIndex((edge) => edge?.unmeasured !== undefined);
  if (at >= 0) {
    return {
      _tag: "SeamSsimFailed",
      message: `chunk ${chunks[at]?.sequenceIndex} could not measure its edges: ${edges[at]?.unmeasured}`,
    };
  }
  const [numerator = 0, denominator = 1] = frameRate.split("/").map(Number);
  const seamsSec = seamFramesOf(chunks).map((frame) => frame / (numerator / denominator));
  return combineChunkEdges(
    edges.flatMap((edge) => (edge === null ? [] : [edge])),
    seamsSec,
  );
}
