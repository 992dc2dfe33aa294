// The HLS AES-128 key of a job, made once by the kernel when it plans a package to encrypt: 16 random
// bytes of key and 16 of IV, kept in the job storage under `keys/<jobId>/` (never published, never in an
// event or a log line). The package task encrypts with it; the kernel serves the key to authorised players.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { hlsKeyObject } from "../../domain/job/jobFileKeys.ts";
import {
  isStorageFailure,
  type StorageFailure,
  type StorageProvider,
} from "../../plugins/sdk/storageProvider.ts";

/** Idempotent: a key already stored (a redelivered plan) is kept, so segments and key never disagree. */
export async function ensureHlsKey(jobs: StorageProvider, jobId: string): Promise<StorageFailure | null> {
  const ref = { key: hlsKeyObject(jobId) };
  const head = await jobs.head(ref);
  if (!isStorageFailure(head)) return head.sizeBytes === 32 ? null : storeKey(jobs, ref);
  return head.reason === "not_found" ? storeKey(jobs, ref) : head;
}

async function storeKey(jobs: StorageProvider, ref: { key: string }): Promise<StorageFailure | null> {
  const stored = await jobs.put(ref, Readable.from([randomBytes(32)]), {
    contentType: "application/octet-stream",
  });
  return isStorageFailure(stored) ? stored : null;
}
