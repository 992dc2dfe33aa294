// The size and sha256 of a stream's bytes, read to its end: how a stored object is checked against
// what was recorded of it, whichever provider holds it.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";

export async function sha256OfStream(body: Readable): Promise<{ sizeBytes: number; checksum: string }> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for await (const chunk of body) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { sizeBytes, checksum: `sha256:${hash.digest("hex")}` };
}
