import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { issueTicket, TICKET_TTL_SECONDS, verifyTicket } from "./sseTicket.ts";

const secret = randomBytes(32);
const now = new Date("2026-11-01T08:00:00.000Z");
const actor = {
  userId: "u-alice",
  role: "operator" as const,
  tokenId: "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11",
};
const later = (ms: number) => new Date(now.getTime() + ms);

describe("SSE tickets", () => {
  it("carry the actor and live 60 seconds", () => {
    const { ticket, expiresAt } = issueTicket(actor, { secret, now });
    expect(expiresAt).toEqual(later(TICKET_TTL_SECONDS * 1000));
    expect(verifyTicket(ticket, { secret, now: later(59_999) })).toEqual({ _tag: "ValidTicket", actor });
  });

  it("are refused as expired from their expiry on", () => {
    const { ticket, expiresAt } = issueTicket(actor, { secret, now });
    expect(verifyTicket(ticket, { secret, now: later(60_000) })).toEqual({
      _tag: "TicketExpired",
      expiredAt: expiresAt,
    });
  });

  it("are refused under another secret", () => {
    const { ticket } = issueTicket(actor, { secret, now });
    expect(verifyTicket(ticket, { secret: randomBytes(32), now })).toEqual({ _tag: "InvalidTicket" });
  });

  it("are refused with any one character changed, signature or payload", () => {
    const { ticket } = issueTicket(actor, { secret, now });
    for (let i = 0; i < ticket.length; i++) {
      const c = ticket[i] === "." ? "." : ticket[i] === "A" ? "B" : "A";
      if (c === ".") continue;
      const changed = ticket.slice(0, i) + c + ticket.slice(i + 1);
      expect(verifyTicket(changed, { secret, now })._tag, `position ${i}`).toBe("InvalidTicket");
    }
  });

  it("are refused with a payload raised to admin and re-encoded, keeping the signature", () => {
    const { ticket } = issueTicket(actor, { secret, now });
    const [payload, signature] = ticket.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const forged = Buffer.from(JSON.stringify({ ...claims, role: "admin", exp: claims.exp + 3_600_000 }));
    expect(verifyTicket(`${forged.toString("base64url")}.${signature}`, { secret, now })).toEqual({
      _tag: "InvalidTicket",
    });
  });

  it("are refused when they are no ticket at all, an API token included", () => {
    for (const candidate of ["", ".", "abc", `we_${"a".repeat(32)}_${"b".repeat(32)}`, "a.b.c"]) {
      expect(verifyTicket(candidate, { secret, now })).toEqual({ _tag: "InvalidTicket" });
    }
  });

  it("refuse to be signed with a short secret", () => {
    expect(() => issueTicket(actor, { secret: randomBytes(16), now })).toThrow(RangeError);
  });
});
