// Given these events, when this command, then exactly these events (or this rejection).
import { describe, expect, it } from "vitest";
import { type TokenEvent, type TokenEventData, tokenEventSchema } from "../../schemas/events/tokenEvents.ts";
import { DeciderSpecification } from "../../test/support/deciderSpecification.ts";
import type { TokenCommand } from "./tokenCommands.ts";
import { foldToken, tokenDecider } from "./tokenDecider.ts";

const tokenId = "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11";
const now = "2026-11-01T08:00:00.000Z";
const issuedData = {
  tokenId,
  name: "ci",
  userId: "u-alice",
  role: "operator",
  hash: `sha256:${"ab".repeat(32)}`,
  prefix: "we_5b0c7",
} as const;
const issued: TokenEvent = { type: "TokenIssued", data: issuedData };
const revoked: TokenEvent = { type: "TokenRevoked", data: { tokenId, reason: "rotated" } };

const { given } = DeciderSpecification.for(tokenDecider, tokenEventSchema);

const issue = (data: Partial<TokenEventData<"TokenIssued">> = {}): TokenCommand => ({
  type: "IssueToken",
  data: { ...issuedData, ...data, now },
});

describe("token decider", () => {
  it("issues a new token, without its clock in the event", () => {
    given().when(issue()).thenEmits(issued);
  });

  it("issues a token that expires after it is issued", () => {
    const expiresAt = "2026-11-02T08:00:00.000Z";
    given()
      .when(issue({ expiresAt }))
      .thenEmits({ type: "TokenIssued", data: { ...issuedData, expiresAt } });
  });

  it("refuses a token that would expire the moment it is issued, or before", () => {
    given()
      .when(issue({ expiresAt: now }))
      .thenRejects({ reason: "InvalidToken", code: "WE-JOB-001" });
    given()
      .when(issue({ expiresAt: "2026-10-01T00:00:00.000Z" }))
      .thenRejects({ reason: "InvalidToken", code: "WE-JOB-001" });
  });

  it("refuses data that would not parse back from the log", () => {
    given()
      .when(issue({ name: "" }))
      .thenRejects({ reason: "InvalidToken", code: "WE-JOB-001" });
    given()
      .when(issue({ tokenId: "not-a-uuid" }))
      .thenRejects({ reason: "InvalidToken", code: "WE-JOB-001" });
    given(issued)
      .when({ type: "RevokeToken", data: { tokenId, reason: "x".repeat(501) } })
      .thenRejects({ reason: "InvalidToken", code: "WE-JOB-001" });
  });

  it("refuses to issue a token whose id exists, issued or revoked", () => {
    given(issued).when(issue()).thenRejects({ reason: "TokenExists", code: "WE-JOB-001" });
    given(issued, revoked).when(issue()).thenRejects({ reason: "TokenExists", code: "WE-JOB-001" });
  });

  it("revokes an issued token", () => {
    given(issued)
      .when({ type: "RevokeToken", data: { tokenId, reason: "rotated" } })
      .thenEmits(revoked);
    given(issued)
      .when({ type: "RevokeToken", data: { tokenId } })
      .thenEmits({ type: "TokenRevoked", data: { tokenId } });
  });

  it("refuses to revoke an unknown token with a not-found code", () => {
    given()
      .when({ type: "RevokeToken", data: { tokenId } })
      .thenRejects({ reason: "TokenNotFound", code: "WE-JOB-004" });
  });

  it("refuses to revoke a token twice with a conflict code", () => {
    given(issued, revoked)
      .when({ type: "RevokeToken", data: { tokenId } })
      .thenRejects({ reason: "TokenAlreadyRevoked", code: "WE-JOB-005" });
  });

  it("re-hashes a token with a legacy unkeyed hash, once, and never an unknown one", () => {
    const keyed = `hmac-sha256:${"cd".repeat(32)}`;
    const rehash: TokenCommand = { type: "RehashToken", data: { tokenId, hash: keyed } };
    const rehashed: TokenEvent = { type: "TokenRehashed", data: { tokenId, hash: keyed } };
    given(issued).when(rehash).thenEmits(rehashed);
    // a second process upgrading the same token finds nothing left to do
    given(issued, rehashed).when(rehash).thenEmits();
    given(issued, rehashed)
      .when({ type: "RehashToken", data: { tokenId, hash: `hmac-sha256:${"ef".repeat(32)}` } })
      .thenRejects({ reason: "InvalidToken", code: "WE-JOB-001" });
    given(issued)
      .when({ type: "RehashToken", data: { tokenId, hash: `sha256:${"ef".repeat(32)}` } })
      .thenRejects({ reason: "InvalidToken", code: "WE-JOB-001" });
    given().when(rehash).thenRejects({ reason: "TokenNotFound", code: "WE-JOB-004" });
    expect(foldToken([issued, rehashed])).toMatchObject({ status: "issued", hash: keyed });
  });

  describe("signing a session out", () => {
    const sessionId = "q1w2e3r4t5y6u7i8o9p0aa";
    const expiresAt = "2026-11-01T20:00:00.000Z";
    const endSession = (at: string = now): TokenCommand => ({
      type: "EndSession",
      data: { tokenId, sessionId, expiresAt, now: at },
    });
    const ended: TokenEvent = { type: "SessionEnded", data: { tokenId, sessionId, expiresAt } };

    it("records the session and when it would have expired, without the clock", () => {
      given(issued).when(endSession()).thenEmits(ended);
    });

    it("records nothing for a session already past its expiry, or of a revoked token", () => {
      given(issued).when(endSession(expiresAt)).thenEmits();
      given(issued).when(endSession("2026-11-02T08:00:00.000Z")).thenEmits();
      given(issued, revoked).when(endSession()).thenEmits();
    });

    it("refuses a session of an unknown token with a not-found code", () => {
      given().when(endSession()).thenRejects({ reason: "TokenNotFound", code: "WE-JOB-004" });
    });

    it("refuses a session id that would not parse back from the log", () => {
      given(issued)
        .when({ type: "EndSession", data: { tokenId, sessionId: "short", expiresAt, now } })
        .thenRejects({ reason: "InvalidToken", code: "WE-JOB-001" });
    });

    it("leaves the token as it was: a later revocation still applies", () => {
      expect(foldToken([issued, ended])).toEqual(foldToken([issued]));
      given(issued, ended)
        .when({ type: "RevokeToken", data: { tokenId, reason: "rotated" } })
        .thenEmits(revoked);
    });
  });

  it("folds a token's life into its state", () => {
    expect(foldToken([issued])).toEqual({ ...issuedData, status: "issued", revokeReason: null });
    expect(foldToken([issued, revoked])).toEqual({
      ...issuedData,
      status: "revoked",
      revokeReason: "rotated",
    });
    expect(foldToken([])).toEqual({ status: "initial" });
  });
});
