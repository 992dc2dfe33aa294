// A playback link grants one folder of a job's outputs (its package) until it expires: the grant lives in
// the path, `/v1/play/<token>/master.m3u8`, so the relative URIs inside manifests and playlists resolve
// to links that carry the same grant, and a player can play the signed manifest URL as it is.
import { createHmac, timingSafeEqual } from "node:crypto";
import { isJobId } from "../../domain/job/jobFileKeys.ts";

/** The output folders a playback link may grant. */
export const playableFolders = ["package", "thumbnails", "subtitles"] as const;
export type PlayableFolder = (typeof playableFolders)[number];

export interface PlaybackGrant {
  readonly jobId: string;
  readonly folder: PlayableFolder;
  readonly expiresAtSec: number;
}

export interface PlaybackSigner {
  sign(grant: PlaybackGrant): string;
  /** The grant of a token, or why it grants nothing. */
  verify(token: string, nowMs: number): PlaybackGrant | { _tag: "Invalid" | "Expired" };
}

export function playbackSigner(secret: string): PlaybackSigner {
  const mac = (payload: string) =>
    createHmac("sha256", `playback:${secret}`).update(payload).digest().subarray(0, 24).toString("base64url");
  const payloadOf = (grant: PlaybackGrant) => `${grant.jobId}.${grant.folder}.${grant.expiresAtSec}`;
  return {
    sign: (grant) => `${payloadOf(grant)}.${mac(payloadOf(grant))}`,
    verify(token, nowMs) {
      const [jobId, folder, expires, signature, ...rest] = token.split(".");
      const expiresAtSec = Number(expires);
      if (
        rest.length > 0 ||
        jobId === undefined ||
        !isJobId(jobId) ||
        !(playableFolders as readonly string[]).includes(folder ?? "") ||
        !Number.isSafeInteger(expiresAtSec) ||
        signature === undefined
      )
        return { _tag: "Invalid" };
      const grant = { jobId, folder: folder as PlayableFolder, expiresAtSec };
      const expected = Buffer.from(mac(payloadOf(grant)));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { _tag: "Invalid" };
      return expiresAtSec * 1000 <= nowMs ? { _tag: "Expired" } : grant;
    },
  };
}

/**
 * The kernel link that plays `key` (`outputs/<job>/<folder>/<path>`) with its folder granted, or null for
 * a key outside a playable folder (a progressive file keeps its storage's own signed link).
 */
export function playbackLink(
  signer: PlaybackSigner,
  key: string,
  expiresInSeconds: number,
  nowMs: number,
): { url: string; expiresAt: string } | null {
  const [top, jobId, folder, ...rest] = key.split("/");
  if (top !== "outputs" || jobId === undefined || !isJobId(jobId) || rest.length === 0) return null;
  if (!(playableFolders as readonly string[]).includes(folder ?? "")) return null;
  const expiresAtSec = Math.floor(nowMs / 1000) + expiresInSeconds;
  const token = signer.sign({ jobId, folder: folder as PlayableFolder, expiresAtSec });
  return {
    url: `/v1/play/${token}/${rest.map(encodeURIComponent).join("/")}`,
    expiresAt: new Date(expiresAtSec * 1000).toISOString(),
  };
}
