// The id of the VOD job that archives a session's recording: the same for the same stream and session
// every time, so a replayed RecordingReady can never submit a second job.
import { createHash } from "node:crypto";

export function archiveJobId(streamId: string, sessionId: string): string {
  const hex = createHash("sha256").update(`stream-archive:${streamId}:${sessionId}`).digest("hex");
  // shaped as a UUID of version 8 (custom), variant 10
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
