import { describe, expect, it } from "vitest";
import { currentSchemaVersion } from "./currentSchemaVersion.ts";
import { jobEventTypes } from "./jobEvents.ts";
import { parseStoredEvent } from "./parseStoredEvent.ts";

const jobId = "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11";
const metadata = (schemaVersion: number) => ({
  correlationId: "0f8e2c4a-3b1d-4e5f-8a9b-7c6d5e4f3a21",
  causationId: "0f8e2c4a-3b1d-4e5f-8a9b-7c6d5e4f3a21",
  actor: { userId: "u-alice", role: "operator" },
  requestId: "req-1",
  schemaVersion,
  occurredAt: "2026-11-01T08:00:00.000Z",
});

describe("parseStoredEvent", () => {
  it("upcasts a v1 JobSubmitted of an uploaded file to the v2 shape", () => {
    const parsed = parseStoredEvent({
      type: "JobSubmitted",
      data: {
        jobId,
        userId: "u-alice",
        source: "fs://uploads/clip.mp4",
        profile: "720p_h264",
        outputConfig: {},
      },
      metadata: metadata(1),
    });
    expect(parsed).toEqual({
      _tag: "Parsed",
      event: {
        type: "JobSubmitted",
        data: {
          jobId,
          userId: "u-alice",
          sourceType: "upload",
          sourceUrl: "fs://uploads/clip.mp4",
          profileId: "720p_h264",
          outputConfig: {},
        },
      },
      metadata: metadata(1),
    });
  });

  it("upcasts a v1 JobSubmitted of any other URL as a url source", () => {
    const parsed = parseStoredEvent({
      type: "JobSubmitted",
      data: {
        jobId,
        userId: "u-bob",
        source: "s3://bucket/video.mov",
        profile: "1080p_h264",
        outputConfig: {},
      },
      metadata: metadata(1),
    });
    expect(parsed._tag === "Parsed" && parsed.event.data).toMatchObject({
      sourceType: "url",
      sourceUrl: "s3://bucket/video.mov",
      profileId: "1080p_h264",
    });
  });

  it("reads a current JobSubmitted unchanged", () => {
    const data = {
      jobId,
      userId: "u-alice",
      sourceType: "url",
      sourceUrl: "https://example.com/a.mp4",
      profileId: "720p_h264",
      outputConfig: { hls: true },
      retryOf: "9d3a1f2e-6b4c-4d8e-a1f0-3c2b1a0e9f87",
    };
    const parsed = parseStoredEvent({ type: "JobSubmitted", data, metadata: metadata(2) });
    expect(parsed).toEqual({ _tag: "Parsed", event: { type: "JobSubmitted", data }, metadata: metadata(2) });
  });

  it("does not upcast a v2 event that happens to look like v1", () => {
    const parsed = parseStoredEvent({
      type: "JobSubmitted",
      data: {
        jobId,
        userId: "u-alice",
        source: "fs://uploads/clip.mp4",
        profile: "720p_h264",
        outputConfig: {},
      },
      metadata: metadata(2),
    });
    expect(parsed._tag).toBe("MalformedEvent");
  });

  it("names an unknown event type", () => {
    expect(parseStoredEvent({ type: "JobTeleported", data: {}, metadata: metadata(1) })).toEqual({
      _tag: "UnknownEventType",
      type: "JobTeleported",
    });
  });

  it("reports malformed data with the path of each problem", () => {
    const parsed = parseStoredEvent({
      type: "TaskStarted",
      data: { taskId: jobId, attempt: 0, workerId: "w-1", extra: true },
      metadata: metadata(1),
    });
    expect(parsed._tag).toBe("MalformedEvent");
    if (parsed._tag !== "MalformedEvent") return;
    expect(parsed.type).toBe("TaskStarted");
    expect(parsed.issues.map((issue) => issue.path).sort()).toEqual(["data", "data.attempt"]);
  });

  it("reports malformed metadata", () => {
    const { occurredAt: _, ...withoutTime } = metadata(1);
    const parsed = parseStoredEvent({ type: "JobDeleted", data: {}, metadata: withoutTime });
    expect(parsed).toMatchObject({
      _tag: "MalformedEvent",
      type: "JobDeleted",
      issues: [{ path: "metadata.occurredAt" }],
    });
  });

  it("refuses data that is not an object where an upcaster must run", () => {
    const parsed = parseStoredEvent({
      type: "JobSubmitted",
      data: "fs://uploads/a.mp4",
      metadata: metadata(1),
    });
    expect(parsed).toMatchObject({ _tag: "MalformedEvent", issues: [{ path: "data" }] });
  });

  it("refuses an event written by a newer schema version than this build reads", () => {
    const parsed = parseStoredEvent({ type: "JobDeleted", data: {}, metadata: metadata(2) });
    expect(parsed).toMatchObject({ _tag: "MalformedEvent", issues: [{ path: "metadata.schemaVersion" }] });
  });

  it("accepts system events without a request id", () => {
    const { requestId: _, ...system } = { ...metadata(1), actor: { userId: "system", role: "system" } };
    const parsed = parseStoredEvent({ type: "JobDeleted", data: {}, metadata: system });
    expect(parsed).toEqual({ _tag: "Parsed", event: { type: "JobDeleted", data: {} }, metadata: system });
  });
});

describe("currentSchemaVersion", () => {
  it("is 2 for JobSubmitted and 1 for every other job event", () => {
    expect(Object.fromEntries(jobEventTypes.map((type) => [type, currentSchemaVersion(type)]))).toEqual(
      Object.fromEntries(jobEventTypes.map((type) => [type, type === "JobSubmitted" ? 2 : 1])),
    );
  });

  it("is 1 for types without upcasters, including names of Object.prototype", () => {
    expect(currentSchemaVersion("StreamStarted")).toBe(1);
    expect(currentSchemaVersion("constructor")).toBe(1);
  });
});
