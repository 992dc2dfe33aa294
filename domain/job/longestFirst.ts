// Dispatch order of a split job's chunks: the longest first, so a long chunk never starts last and
// leaves the pool idle waiting on it; equal lengths keep source order.
export interface TimedChunk {
  readonly index: number;
  readonly startSec: number;
  readonly endSec: number;
}

export function longestFirst<T extends TimedChunk>(chunks: readonly T[]): T[] {
  return [...chunks].sort((a, b) => b.endSec - b.startSec - (a.endSec - a.startSec) || a.index - b.index);
}
