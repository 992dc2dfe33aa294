// Removes an attempt's folder in a worker's local scratch space, then each parent the removal left
// empty, up to (not including) the scratch root: nothing of a finished attempt stays on the worker.
import { rm, rmdir } from "node:fs/promises";
import { join } from "node:path";

export async function removeScratchFolder(scratchRoot: string, segments: readonly string[]): Promise<void> {
  await rm(join(scratchRoot, ...segments), { recursive: true, force: true });
  for (let depth = segments.length - 1; depth > 0; depth--) {
    try {
      await rmdir(join(scratchRoot, ...segments.slice(0, depth)));
    } catch {
      return; // another attempt still works in it, or it is gone already
    }
  }
}
