import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { Actor } from "../../infra/http/httpEnv.ts";
import { tokenEventTypes } from "../../schemas/events/tokenEvents.ts";
import { feedVisibility } from "./feedVisibility.ts";

const HASH = `hmac-sha256:${"ab".repeat(32)}`;
const SESSION_ID = "q1w2e3r4t5y6u7i8o9p0aa";
const tokenId = randomUUID();
const metadata = {
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { userId: "u-root", role: "admin" },
  schemaVersion: 1,
  occurredAt: "2026-12-01T08:00:00.000Z",
};
const dataOf: Record<string, Record<string, unknown>> = {
  TokenIssued: { tokenId, name: "ci", userId: "u-ci", role: "operator", hash: HASH, prefix: "we_ab12c" },
  TokenRevoked: { tokenId },
  TokenRehashed: { tokenId, hash: HASH },
  SessionEnded: { tokenId, sessionId: SESSION_ID, expiresAt: "2026-12-01T20:00:00.000Z" },
};
const recorded = (type: string, position: number): RecordedEvent => ({
  id: randomUUID(),
  streamId: `token-${tokenId}`,
  revision: position - 1,
  position,
  checkpoint: String(position),
  type,
  data: dataOf[type] ?? {},
  metadata,
  createdAt: new Date(),
});

describe("feed visibility of token events", () => {
  it.each([...tokenEventTypes])("shows %s to admins only, and never any hash or session id", (type) => {
    expect(dataOf[type], `a sample of ${type} for this test`).toBeDefined();
    const event = recorded(type, 7);
    const shown = feedVisibility.shownData(event);
    expect(shown).toMatchObject({ tokenId });
    expect(JSON.stringify(shown)).not.toContain("sha256");
    expect(JSON.stringify(shown)).not.toContain(SESSION_ID);
    const as = (role: Actor["role"]) => feedVisibility.mayRead({ userId: `u-${role}`, role }, event.streamId);
    expect([as("viewer"), as("operator"), as("admin")]).toEqual([false, false, true]);
  });

  it("shows a sign-out as its token and when the session would have expired, nothing more", () => {
    expect(feedVisibility.shownData(recorded("SessionEnded", 8))).toEqual({
      tokenId,
      expiresAt: "2026-12-01T20:00:00.000Z",
    });
  });
});

describe("feed visibility of error events", () => {
  const errorId = randomUUID();
  const reported = {
    errorId,
    sourceComponent: "frontend",
    severity: "critical",
    message: "TypeError: x is undefined",
    stackTrace: "TypeError: x is undefined\n    at page (app.js:1:1)",
    contextData: { url: "/en/jobs" },
  };
  const event = (type: string, data: Record<string, unknown>, position: number): RecordedEvent => ({
    id: randomUUID(),
    streamId: `error-${errorId}`,
    revision: position - 1,
    position,
    checkpoint: String(position),
    type,
    data,
    metadata,
    createdAt: new Date(),
  });

  it("shows reports and resolves to every role, as a list row: no stack trace, no context", () => {
    const report = event("ErrorReported", reported, 1);
    expect(feedVisibility.shownData(report)).toEqual({
      errorId,
      sourceComponent: "frontend",
      severity: "critical",
      message: "TypeError: x is undefined",
    });
    expect(feedVisibility.shownData(event("ErrorResolved", { errorId }, 2))).toEqual({ errorId });
    for (const role of ["viewer", "operator", "admin"] as const) {
      expect(feedVisibility.mayRead({ userId: `u-${role}`, role }, report.streamId)).toBe(true);
    }
    expect(feedVisibility.eventTypes).toEqual(expect.arrayContaining(["ErrorReported", "ErrorResolved"]));
  });
});

describe("feed visibility of stream events", () => {
  const streamId = randomUUID();
  const sealedKey = `aes-256-gcm:${"A".repeat(16)}.${"b".repeat(40)}.${"c".repeat(22)}`;
  const event = (type: string, data: Record<string, unknown>): RecordedEvent => ({
    ...recorded(type, 1),
    streamId: `stream-${streamId}`,
    data,
  });
  const key = { keyHash: HASH, sealedKey, keyHint: "x9Qa" };

  it("shows streams to viewers, never the key hashed or sealed, nor the publisher's address", () => {
    const viewer: Actor = { userId: "u-v", role: "viewer", tokenId: randomUUID() } as Actor;
    expect(feedVisibility.mayRead(viewer, `stream-${streamId}`)).toBe(true);
    const created = event("StreamCreated", {
      streamId,
      title: "Live",
      description: "",
      archiveEnabled: true,
      ...key,
    });
    expect(feedVisibility.shownData(created)).toEqual({ streamId, title: "Live", archiveEnabled: true });
    expect(feedVisibility.shownData(event("StreamKeyRotated", { streamId, ...key }))).toEqual({ streamId });
    const started = event("StreamStarted", {
      streamId,
      sessionId: streamId,
      protocol: "rtmp",
      remoteAddress: "203.0.113.9",
      record: true,
      at: "2026-12-01T08:00:00.000Z",
    });
    expect(JSON.stringify(feedVisibility.shownData(started))).not.toContain("203.0.113.9");
  });
});

describe("feed visibility of restream events", () => {
  const restreamId = randomUUID();
  const runId = randomUUID();
  const destinationId = randomUUID();
  const restreamEvent = (type: string, data: Record<string, unknown>): RecordedEvent => ({
    ...recorded(type, 3),
    streamId: `restream-${restreamId}`,
    data,
  });

  it("shows every role a restream's title and runs, never a destination URL, sealed or masked", () => {
    const created = restreamEvent("RestreamCreated", {
      restreamId,
      title: "Friday show",
      description: "",
      input: { type: "file", url: "fs://loop.mp4" },
      destinations: [
        {
          destinationId,
          platform: "youtube",
          url: { masked: "rtmp://a.rtmp.youtube.com/live2/••••abcd", sealed: "v1.aaaa.bbbb.cccc" },
          enabled: true,
        },
      ],
      schedule: { type: "immediate" },
      loop: true,
      simulateLive: true,
    });
    expect(feedVisibility.shownData(created)).toEqual({ restreamId, title: "Friday show" });
    const changed = {
      restreamId,
      runId,
      destinationId,
      state: "errored",
      errorCount: 1,
      lastError: "refused",
    };
    expect(feedVisibility.shownData(restreamEvent("RestreamDestinationStateChanged", changed))).toEqual(
      changed,
    );
    for (const role of ["viewer", "operator", "admin"] as const) {
      expect(feedVisibility.mayRead({ userId: `u-${role}`, role }, created.streamId)).toBe(true);
    }
  });
});
