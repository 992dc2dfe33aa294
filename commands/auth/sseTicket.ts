// Tickets let a browser's EventSource, which cannot send headers, open the event stream: a short-lived,
// HMAC-signed, stateless claim `<payload>.<signature>` bound to the actor, exchanged for a bearer token
// at POST /v1/events/ticket and accepted only as `?ticket=` on the SSE route.
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Actor } from "../../infra/http/httpEnv.ts";

export const TICKET_TTL_SECONDS = 60;

// Signing a fixed purpose with the payload keeps signatures made with this key for anything else useless here.
const PURPOSE = "webencode-sse-ticket.v1.";
const SHAPE = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/;

const claimsSchema = z.strictObject({
  sub: z.string().min(1),
  role: z.enum(["viewer", "operator", "admin", "system"]),
  tid: z.string().min(1).optional(),
  /** Expiry, milliseconds since the epoch. */
  exp: z.number().int().positive(),
});

export interface TicketKey {
  /** At least 32 bytes; every replica that serves the event stream must share it. */
  secret: Uint8Array;
  now: Date;
}

export interface IssuedTicket {
  ticket: string;
  expiresAt: Date;
}

export type TicketCheck =
  | { _tag: "ValidTicket"; actor: Actor }
  | { _tag: "TicketExpired"; expiredAt: Date }
  | { _tag: "InvalidTicket" };

const sign = (payload: string, secret: Uint8Array) =>
  createHmac("sha256", secret)
    .update(PURPOSE + payload, "utf8")
    .digest();

function checkedSecret(secret: Uint8Array): Uint8Array {
  if (secret.length < 32) throw new RangeError("a ticket secret needs at least 32 bytes");
  return secret;
}

export function issueTicket(
  actor: Actor,
  { secret, now }: TicketKey,
  ttlSeconds: number = TICKET_TTL_SECONDS,
): IssuedTicket {
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  const claims: z.infer<typeof claimsSchema> = {
    sub: actor.userId,
    role: actor.role,
    ...(actor.tokenId === undefined ? {} : { tid: actor.tokenId }),
    exp: expiresAt.getTime(),
  };
  const payload = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
  const signature = sign(payload, checkedSecret(secret)).toString("base64url");
  return { ticket: `${payload}.${signature}`, expiresAt };
}

export function verifyTicket(ticket: string, { secret, now }: TicketKey): TicketCheck {
  const parts = SHAPE.exec(ticket);
  if (!parts) return { _tag: "InvalidTicket" };
  const [, payload, signature] = parts as unknown as [string, string, string];
  // compared as text: base64url has several spellings of the last character, the ticket only one
  const expected = Buffer.from(sign(payload, checkedSecret(secret)).toString("base64url"), "utf8");
  if (!timingSafeEqual(expected, Buffer.from(signature, "utf8"))) {
    return { _tag: "InvalidTicket" };
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { _tag: "InvalidTicket" };
  }
  const claims = claimsSchema.safeParse(decoded);
  if (!claims.success) return { _tag: "InvalidTicket" };
  const { sub, role, tid, exp } = claims.data;
  if (exp <= now.getTime()) return { _tag: "TicketExpired", expiredAt: new Date(exp) };
  return {
    _tag: "ValidTicket",
    actor: { userId: sub, role, ...(tid === undefined ? {} : { tokenId: tid }) },
  };
}
