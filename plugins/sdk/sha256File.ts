// Part of the plugin contract: every output checksum (TaskCompleted, the output publisher's check) has this form.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { WHOLE_FILE_READ } from "./wholeFileRead.ts";

/** "sha256:<hex>" of a file, read as a stream so a large output never sits in memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, WHOLE_FILE_READ)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}
