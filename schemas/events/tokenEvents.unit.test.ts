import { describe, expect, it } from "vitest";
import { parseTokenEvent, type TokenEvent, tokenEventSchema, tokenEventTypes } from "./tokenEvents.ts";

const tokenId = "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11";
const hash = `sha256:${"ab".repeat(32)}`;
const issued = {
  tokenId,
  name: "ci pipeline",
  userId: "u-alice",
  role: "operator",
  hash,
  prefix: "we_5b0c7",
} as const;

const metadata = (schemaVersion = 1) => ({
  correlationId: "0f8e2c4a-3b1d-4e5f-8a9b-7c6d5e4f3a21",
  causationId: "0f8e2c4a-3b1d-4e5f-8a9b-7c6d5e4f3a21",
  actor: { userId: "u-root", role: "admin" },
  requestId: "req-1",
  schemaVersion,
  occurredAt: "2026-11-01T08:00:00.000Z",
});

const examples: TokenEvent[] = [
  { type: "TokenIssued", data: { ...issued, expiresAt: "2027-01-01T00:00:00.000Z" } },
  { type: "TokenRevoked", data: { tokenId, reason: "laptop lost" } },
  { type: "TokenRehashed", data: { tokenId, hash: `hmac-sha256:${"cd".repeat(32)}` } },
  {
    type: "SessionEnded",
    data: { tokenId, sessionId: "q1w2e3r4t5y6u7i8o9p0aa", expiresAt: "2026-11-01T20:00:00.000Z" },
  },
];

describe("tokenEventSchema", () => {
  it("has one example per event type here, and each parses unchanged", () => {
    expect(examples.map((example) => example.type)).toEqual(tokenEventTypes);
    for (const example of examples) expect(tokenEventSchema.parse(example)).toEqual(example);
  });

  it("accepts a keyed hash, and the unkeyed sha256 of tokens issued before keys", () => {
    const keyed = { ...issued, hash: `hmac-sha256:${"cd".repeat(32)}` };
    expect(tokenEventSchema.safeParse({ type: "TokenIssued", data: keyed }).success).toBe(true);
    expect(tokenEventSchema.safeParse({ type: "TokenIssued", data: issued }).success).toBe(true);
  });

  it("accepts a token without expiry and a revocation without reason", () => {
    expect(tokenEventSchema.safeParse({ type: "TokenIssued", data: issued }).success).toBe(true);
    expect(tokenEventSchema.safeParse({ type: "TokenRevoked", data: { tokenId } }).success).toBe(true);
  });

  it.each([
    ["a secret next to its hash", { type: "TokenIssued", data: { ...issued, token: "we_x" } }],
    ["a hash without its algorithm", { type: "TokenIssued", data: { ...issued, hash: "ab".repeat(32) } }],
    ["an uppercase hash", { type: "TokenIssued", data: { ...issued, hash: hash.toUpperCase() } }],
    ["the system role", { type: "TokenIssued", data: { ...issued, role: "system" } }],
    ["a prefix that is not 8 characters", { type: "TokenIssued", data: { ...issued, prefix: "we_5b" } }],
    ["an empty name", { type: "TokenIssued", data: { ...issued, name: "" } }],
    ["an expiry that is no timestamp", { type: "TokenIssued", data: { ...issued, expiresAt: "soon" } }],
    ["an uppercase id", { type: "TokenRevoked", data: { tokenId: tokenId.toUpperCase() } }],
    ["an unknown field", { type: "TokenRevoked", data: { tokenId, by: "x" } }],
    ["a re-hash to an unkeyed hash", { type: "TokenRehashed", data: { tokenId, hash } }],
    [
      "a session id with characters a cookie's id never has",
      {
        type: "SessionEnded",
        data: { tokenId, sessionId: "q1w2e3r4t5y6/u7i8o9p0", expiresAt: "2026-11-01T20:00:00Z" },
      },
    ],
    [
      "a session end without its expiry",
      { type: "SessionEnded", data: { tokenId, sessionId: "q1w2e3r4t5y6u7i8o9p0aa" } },
    ],
  ])("refuses %s", (_, candidate) => {
    expect(tokenEventSchema.safeParse(candidate).success).toBe(false);
  });
});

describe("parseTokenEvent", () => {
  it("reads a stored event with its metadata", () => {
    expect(parseTokenEvent({ type: "TokenIssued", data: issued, metadata: metadata() })).toEqual({
      _tag: "Parsed",
      event: { type: "TokenIssued", data: issued },
      metadata: metadata(),
    });
  });

  it("names a type that is not a token event, job events included", () => {
    expect(parseTokenEvent({ type: "JobSubmitted", data: {}, metadata: metadata() })).toEqual({
      _tag: "UnknownEventType",
      type: "JobSubmitted",
    });
  });

  it("reports malformed data with the path of each problem", () => {
    const parsed = parseTokenEvent({
      type: "TokenIssued",
      data: { ...issued, role: "root" },
      metadata: metadata(),
    });
    expect(parsed).toMatchObject({
      _tag: "MalformedEvent",
      type: "TokenIssued",
      issues: [{ path: "data.role" }],
    });
  });

  it("reports malformed metadata", () => {
    const { actor: _, ...withoutActor } = metadata();
    expect(
      parseTokenEvent({ type: "TokenRevoked", data: { tokenId }, metadata: withoutActor }),
    ).toMatchObject({
      _tag: "MalformedEvent",
      issues: [{ path: "metadata.actor" }],
    });
  });

  it("refuses a schema version this build does not read", () => {
    expect(parseTokenEvent({ type: "TokenRevoked", data: { tokenId }, metadata: metadata(2) })).toMatchObject(
      {
        _tag: "MalformedEvent",
        issues: [{ path: "metadata.schemaVersion" }],
      },
    );
  });
});
