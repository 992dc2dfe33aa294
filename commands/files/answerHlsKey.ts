// Answers a job's HLS AES-128 key (16 bytes) to a caller already found authorised for that job: a player
// holding the package's playback grant, or a bearer with read rights. Never cached, never logged.
import type { Context } from "hono";
import { hlsKeyObject } from "../../domain/job/jobFileKeys.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { isStorageFailure, type StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { storageError } from "./storageRoutes.ts";

export async function answerHlsKey(
  c: Context<HttpEnv>,
  jobs: StorageProvider,
  jobId: string,
  options: { headers?: Record<string, string>; log?: ((message: string) => void) | undefined } = {},
) {
  const got = await jobs.get({ key: hlsKeyObject(jobId) });
  if (isStorageFailure(got)) {
    if (got.reason === "not_found")
      throw new ApiError("WE-STO-001", `job ${jobId} has no HLS key`, {
        hint: "Only jobs whose profile encrypts its HLS package (packaging.encryption aes-128) have one",
      });
    throw storageError(got, options.log);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of got.body) chunks.push(Buffer.from(chunk as Uint8Array));
  // The object holds the key and then the IV; the IV is in the playlists already, the key goes alone.
  const key = Buffer.concat(chunks).subarray(0, 16);
  return c.body(new Uint8Array(key), 200, {
    ...options.headers,
    "Content-Type": "application/octet-stream",
    "Cache-Control": "no-store",
  });
}
