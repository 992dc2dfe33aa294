// A browser's sign-in: a signed, expiring claim `<payload>.<signature>` kept in an HttpOnly cookie,
// bound to the API token that opened it (revoking the token ends it) and to a CSRF secret that
// mutations must echo in a header. Stateless, like SSE tickets; only sign-out is remembered (SessionEnded).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { sessionIdSchema } from "../../schemas/events/tokenEvents.ts";

export const SESSION_COOKIE = "we_session";
export const CSRF_COOKIE = "we_csrf";
export const CSRF_HEADER = "X-CSRF-Token";
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

// A fixed purpose signed with the payload: a ticket signed with the same key is no session, and back.
const PURPOSE = "webencode-session.v1.";
const SHAPE = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/;

const claimsSchema = z.strictObject({
  /** The token the session was opened with. */
  tid: z.string().min(1),
  /** The session's own id, so that signing out ends this session and no other. */
  sid: sessionIdSchema,
  csrf: z.string().min(16),
  /** Expiry, milliseconds since the epoch. */
  exp: z.number().int().positive(),
});

export interface SessionKey {
  /** At least 32 bytes; every replica must share it. */
  secret: Uint8Array;
  now: Date;
}

export interface IssuedSession {
  /** The cookie's value. */
  value: string;
  sessionId: string;
  /** The value of the CSRF cookie, which mutations must send back in X-CSRF-Token. */
  csrf: string;
  expiresAt: Date;
}

export type SessionCheck =
  | { _tag: "ValidSession"; tokenId: string; sessionId: string; csrf: string; expiresAt: Date }
  | { _tag: "SessionExpired"; expiredAt: Date }
  | { _tag: "InvalidSession" };

const sign = (payload: string, secret: Uint8Array) => {
  if (secret.length < 32) throw new RangeError("a session secret needs at least 32 bytes");
  return createHmac("sha256", secret)
    .update(PURPOSE + payload, "utf8")
    .digest()
    .toString("base64url");
};

export function issueSession(
  tokenId: string,
  { secret, now }: SessionKey,
  /** The latest the session may last: the token's own expiry, if it has one. */
  notAfter?: Date,
): IssuedSession {
  const ttlEnd = now.getTime() + SESSION_TTL_SECONDS * 1000;
  const expiresAt = new Date(notAfter ? Math.min(ttlEnd, notAfter.getTime()) : ttlEnd);
  const claims: z.infer<typeof claimsSchema> = {
    tid: tokenId,
    sid: randomBytes(16).toString("base64url"),
    csrf: randomBytes(24).toString("base64url"),
    exp: expiresAt.getTime(),
  };
  const payload = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
  return {
    value: `${payload}.${sign(payload, secret)}`,
    sessionId: claims.sid,
    csrf: claims.csrf,
    expiresAt,
  };
}

export function verifySession(value: string, { secret, now }: SessionKey): SessionCheck {
  const parts = SHAPE.exec(value);
  if (!parts) return { _tag: "InvalidSession" };
  const [, payload, signature] = parts as unknown as [string, string, string];
  if (!sameText(sign(payload, secret), signature)) return { _tag: "InvalidSession" };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { _tag: "InvalidSession" };
  }
  const claims = claimsSchema.safeParse(decoded);
  if (!claims.success) return { _tag: "InvalidSession" };
  const { tid, sid, csrf, exp } = claims.data;
  if (exp <= now.getTime()) return { _tag: "SessionExpired", expiredAt: new Date(exp) };
  return { _tag: "ValidSession", tokenId: tid, sessionId: sid, csrf, expiresAt: new Date(exp) };
}

/** Compares two secrets in time that does not depend on where they differ. */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
