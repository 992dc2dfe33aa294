// The seam figures of a stitched output from its chunks' own: each seam's SSIM is the frame-weighted
// mean of the last frames of the chunk before it and the first frames of the chunk after it, and the
// mean is that of every chunk's samples; the same frames measureSeams decodes, without decoding any.
import type { SeamQuality, SeamReport } from "./encoderPlugin.ts";
import type { ChunkEdgeSsim, SeamSsimFailed, SsimSpan } from "./splitEncoding.ts";

/** `chunks` in order; `seamsSec[i]` is where chunk i + 1 starts in the output. */
export function combineChunkEdges(
  chunks: readonly Omit<ChunkEdgeSsim, "_tag">[],
  seamsSec: readonly number[],
): SeamReport | SeamSsimFailed {
  const meanSsim = weighted(chunks.map((chunk) => chunk.samples));
  if (meanSsim === null) return { _tag: "SeamSsimFailed", message: "no chunk measured a sample of the mean" };
  const seams: SeamQuality[] = [];
  for (let index = 1; index < chunks.length; index++) {
    const before = chunks[index - 1]?.last ?? null;
    const after = chunks[index]?.first ?? null;
    if (before === null || after === null) {
      return {
        _tag: "SeamSsimFailed",
        message: `no SSIM values for seam ${index}: a chunk measured no side of it`,
      };
    }
    const ssim = weighted([before, after]) ?? Number.NaN;
    seams.push({ index, timeSec: seamsSec[index - 1] ?? 0, ssim, delta: ssim - meanSsim });
  }
  return { _tag: "SeamReport", meanSsim, seams };
}

/** The mean of the spans' frames together; null when they hold none. */
function weighted(spans: readonly (SsimSpan | null)[]): number | null {
  let sum = 0;
  let frames = 0;
  for (const span of spans) {
    if (span === null) continue;
    sum += span.ssim * span.frames;
    frames += span.frames;
  }
  return frames === 0 ? null : sum / frames;
}
