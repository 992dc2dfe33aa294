// Task ids derived from the job id (a UUID v5 over "<jobId>/task/<index>"), so a planner that sees
// the same JobSubmitted twice plans the very same tasks and the decider takes the repeat as a no-op.
import { createHash } from "node:crypto";

// A fixed namespace of our own (itself a random v4 UUID); changing it would re-key every future plan.
const namespace = Buffer.from("5b7f8a4e1c9d4f0e8a36d2c1b0e9f7a3", "hex");

export function taskIdOf(jobId: string, sequenceIndex: number): string {
  const hash = createHash("sha1")
    .update(namespace)
    .update(`${jobId.toLowerCase()}/task/${sequenceIndex}`)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
