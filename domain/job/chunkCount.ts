// Smart chunking of the spec: a split only pays when several workers can encode chunks at once; with
// one (or none yet) healthy worker the whole source is one task, with no stitch to pay for.
export function chunkCount(healthyWorkers: number, plannedSegments: number): number {
  return healthyWorkers >= 2 ? Math.max(1, plannedSegments) : 1;
}
