import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { issueSession, SESSION_TTL_SECONDS, verifySession } from "./sessionCookie.ts";
import { issueTicket } from "./sseTicket.ts";

const secret = randomBytes(32);
const now = new Date("2026-12-02T10:00:00Z");

describe("session cookie", () => {
  it("names the token it was opened with, until it expires", () => {
    const session = issueSession("tok-1", { secret, now });
    expect(session.expiresAt.getTime() - now.getTime()).toBe(SESSION_TTL_SECONDS * 1000);
    expect(verifySession(session.value, { secret, now })).toEqual({
      _tag: "ValidSession",
      tokenId: "tok-1",
      sessionId: session.sessionId,
      csrf: session.csrf,
      expiresAt: session.expiresAt,
    });
    expect(verifySession(session.value, { secret, now: session.expiresAt })).toEqual({
      _tag: "SessionExpired",
      expiredAt: session.expiresAt,
    });
  });

  it("never outlives the token's own expiry", () => {
    const tokenEnds = new Date(now.getTime() + 60_000);
    expect(issueSession("tok-1", { secret, now }, tokenEnds).expiresAt).toEqual(tokenEnds);
  });

  it("gives every session its own CSRF secret", () => {
    const a = issueSession("tok-1", { secret, now });
    const b = issueSession("tok-1", { secret, now });
    expect(a.csrf).not.toBe(b.csrf);
    expect(a.sessionId).not.toBe(b.sessionId);
  });

  it("refuses a changed payload, another key's signature, and an SSE ticket", () => {
    const session = issueSession("tok-1", { secret, now });
    const [payload, signature] = session.value.split(".") as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), tid: "tok-admin" }),
    ).toString("base64url");
    expect(verifySession(`${forged}.${signature}`, { secret, now })._tag).toBe("InvalidSession");
    expect(verifySession(session.value, { secret: randomBytes(32), now })._tag).toBe("InvalidSession");
    const ticket = issueTicket({ userId: "u", role: "admin", tokenId: "tok-1" }, { secret, now }).ticket;
    expect(verifySession(ticket, { secret, now })._tag).toBe("InvalidSession");
    expect(verifySession("not a cookie", { secret, now })._tag).toBe("InvalidSession");
  });
});
