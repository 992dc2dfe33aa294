// The live preview: a session's HLS playlist and segments as the ingest stores them in job storage, a
// few seconds behind. A signed link grants one session's folder until it expires: the grant lives in the
// path, `/v1/live/<token>/index.m3u8`, so the playlist's relative segment URIs carry it too.
import { createHmac, timingSafeEqual } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import { type Context, Hono } from "hono";
import { recordingKeys } from "../../domain/stream/recordingKeys.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { UUID_PATTERN } from "../../infra/http/jobIdParam.ts";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { serveObject } from "../files/serveObject.ts";
import type { PreviewAudience } from "./previewAudience.ts";

export interface PreviewGrant {
  readonly streamId: string;
  readonly sessionId: string;
  readonly expiresAtSec: number;
}

/**
 * A link's expiry is rounded up to the hour: every answer of the hour hands out the same link, so a page
 * that reads the stream again keeps its player playing, and a player is one link.
 */
const EXPIRY_STEP_SECONDS = 3600;

export interface LivePreviewSigner {
  /** The preview playlist's link for a session, valid at least `expiresInSeconds` from `nowMs`. */
  link(streamId: string, sessionId: string, expiresInSeconds: number, nowMs: number): string;
  verify(token: string, nowMs: number): PreviewGrant | { _tag: "Invalid" | "Expired" };
}

export function livePreviewSigner(secret: string): LivePreviewSigner {
  const mac = (payload: string) =>
    createHmac("sha256", `live-preview:${secret}`)
      .update(payload)
      .digest()
      .subarray(0, 24)
      .toString("base64url");
  const payloadOf = (grant: PreviewGrant) => `${grant.streamId}.${grant.sessionId}.${grant.expiresAtSec}`;
  return {
    link(streamId, sessionId, expiresInSeconds, nowMs) {
      const earliest = Math.floor(nowMs / 1000) + expiresInSeconds;
      const expiresAtSec = Math.ceil(earliest / EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS;
      const grant = { streamId, sessionId, expiresAtSec };
      return `/v1/live/${payloadOf(grant)}.${mac(payloadOf(grant))}/index.m3u8`;
    },
    verify(token, nowMs) {
      const [streamId, sessionId, expires, signature, ...rest] = token.split(".");
      const expiresAtSec = Number(expires);
      if (
        rest.length > 0 ||
        !UUID_PATTERN.test(streamId ?? "") ||
        !UUID_PATTERN.test(sessionId ?? "") ||
        !Number.isSafeInteger(expiresAtSec) ||
        signature === undefined
      )
        return { _tag: "Invalid" };
      const grant = { streamId: streamId!, sessionId: sessionId!, expiresAtSec };
      const expected = Buffer.from(mac(payloadOf(grant)));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { _tag: "Invalid" };
      return expiresAtSec * 1000 <= nowMs ? { _tag: "Expired" } : grant;
    },
  };
}

const cors = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Content-Length, Content-Range, Accept-Ranges",
};

/** The preview's files: its playlist and the segments it names. */
const PREVIEW_FILE = /^(index\.m3u8|segment-\d{6}\.ts)$/;

/** One player: its link, its address and its user agent (a player asks with the same ones each time). */
function playerOf(c: Context<HttpEnv>): string {
  let address = "";
  try {
    address = getConnInfo(c).remote.address ?? "";
  } catch {
    // not served over a socket (a request made in-process)
  }
  return `${c.req.param("token")} ${address} ${c.req.header("user-agent") ?? ""}`;
}

export function livePreviewRoutes(options: {
  jobs: StorageProvider;
  signer: LivePreviewSigner;
  /** Counts the players that fetch a playlist: the stream's viewers. */
  audience?: PreviewAudience;
  now?: () => number;
  log?: (message: string) => void;
}) {
  return new Hono<HttpEnv>().on(["GET", "HEAD"], "/v1/live/:token/:file", async (c) => {
    const grant = options.signer.verify(c.req.param("token"), options.now?.() ?? Date.now());
    if ("_tag" in grant) {
      throw grant._tag === "Expired"
        ? new ApiError("WE-AUTH-002", "the preview link has expired", {
            hint: "Ask GET /v1/streams/{id} for a fresh preview_url",
          })
        : new ApiError("WE-AUTH-001", "the preview link's signature is not valid", {
            hint: "Use preview_url exactly as GET /v1/streams/{id} gave it",
          });
    }
    const file = c.req.param("file");
    if (!PREVIEW_FILE.test(file)) throw new ApiError("WE-STO-001", "no such object");
    const key = `${recordingKeys(grant.streamId, grant.sessionId).folder}${file}`;
    c.header("Cache-Control", "no-cache");
    const served = await serveObject(c, options.jobs, key, {
      attachment: false,
      headers: cors,
      log: options.log,
    });
    if (file === "index.m3u8" && c.req.method === "GET" && served.ok)
      options.audience?.seen(grant.streamId, playerOf(c));
    return served;
  });
}
