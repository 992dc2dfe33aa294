import { describe, expect, it } from "vitest";
import { parseStreamEvent, type StreamEvent, streamEventSchema, streamEventTypes } from "./streamEvents.ts";

const metadata = {
  correlationId: "0f8e2c4a-3b1d-4e5f-8a9b-7c6d5e4f3a21",
  causationId: "0f8e2c4a-3b1d-4e5f-8a9b-7c6d5e4f3a21",
  actor: { userId: "u-root", role: "operator" },
  schemaVersion: 1,
  occurredAt: "2026-11-01T08:00:00.000Z",
};
const streamId = "3f2b1a9e-8c4d-4e6f-9a1b-2c3d4e5f6a7b";
const sessionId = "9a1b2c3d-4e5f-4a7b-8c4d-3f2b1a9e8c4d";
const at = "2026-11-01T08:00:00.000Z";
const key = {
  keyHash: `hmac-sha256:${"ab".repeat(32)}`,
  sealedKey: `aes-256-gcm:${"A".repeat(16)}.${"b".repeat(50)}.${"c".repeat(22)}`,
  keyHint: "x9Qa",
};

const examples: StreamEvent[] = [
  { type: "StreamCreated", data: { streamId, title: "Live", description: "", archiveEnabled: true, ...key } },
  { type: "StreamUpdated", data: { streamId, title: "Renamed" } },
  { type: "StreamKeyRotated", data: { streamId, ...key } },
  {
    type: "StreamStarted",
    data: { streamId, sessionId, protocol: "rtmp", remoteAddress: "127.0.0.1", record: true, at },
  },
  { type: "StreamInterrupted", data: { streamId, sessionId, reason: "socket closed", at } },
  { type: "StreamResumed", data: { streamId, sessionId, protocol: "srt", remoteAddress: "::1", at } },
  { type: "StreamEndRequested", data: { streamId, sessionId, at } },
  { type: "StreamEnded", data: { streamId, sessionId, reason: "ended", durationSeconds: 12.5, at } },
  {
    type: "RecordingReady",
    data: {
      streamId,
      sessionId,
      objectKey: "live/x/y/recording.mp4",
      durationSeconds: 12,
      bytes: 1,
      segments: 3,
    },
  },
  { type: "StreamArchiveJobCreated", data: { streamId, sessionId, jobId: sessionId } },
  { type: "StreamDeleted", data: { streamId } },
];

describe("streamEventSchema", () => {
  it("has one example per event type, and each parses back unchanged from the log", () => {
    expect(examples.map((example) => example.type)).toEqual(streamEventTypes);
    for (const example of examples) {
      expect(parseStreamEvent({ ...example, metadata })).toEqual({
        _tag: "Parsed",
        event: example,
        metadata,
      });
    }
  });

  it("never holds a key in clear: a created stream without hash and sealed key, or with a clear key, is refused", () => {
    const created = examples[0]!.data;
    expect(
      streamEventSchema.safeParse({ type: "StreamCreated", data: { ...created, streamKey: "live_x" } })
        .success,
    ).toBe(false);
    expect(
      streamEventSchema.safeParse({
        type: "StreamCreated",
        data: { ...created, sealedKey: "live_abcdefghijklmnop" },
      }).success,
    ).toBe(false);
    expect(
      streamEventSchema.safeParse({
        type: "StreamCreated",
        data: { ...created, keyHash: "live_abcdefghijklmnop" },
      }).success,
    ).toBe(false);
  });
});
