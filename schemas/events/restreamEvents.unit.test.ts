import { describe, expect, it } from "vitest";
import {
  parseRestreamEvent,
  type RestreamEvent,
  restreamEventSchema,
  restreamEventTypes,
} from "./restreamEvents.ts";

const metadata = {
  correlationId: "0f8e2c4a-3b1d-4e5f-8a9b-7c6d5e4f3a21",
  causationId: "0f8e2c4a-3b1d-4e5f-8a9b-7c6d5e4f3a21",
  actor: { userId: "u-root", role: "admin" as const },
  schemaVersion: 1,
  occurredAt: "2026-11-01T08:00:00.000Z",
};
const restreamId = "6b0f6f0e-2f0a-4c38-9d43-0f0e2d7e1a11";
const runId = "7c1a7a1f-3a1b-4d49-8e54-1a1f3e8f2b22";
const destinationId = "8d2b8b2a-4b2c-4e5a-9f65-2b2a4f9a3c33";
const definition = {
  title: "Friday show",
  description: "",
  input: { type: "file" as const, url: "fs://media/loop.mp4" },
  destinations: [
    {
      destinationId,
      platform: "youtube" as const,
      url: { masked: "rtmp://a.rtmp.youtube.com/live2/••••abcd", sealed: "v1.aaaa.bbbb.cccc" },
      enabled: true,
    },
  ],
  schedule: { type: "recurring" as const, cron: "0 20 * * 5", durationSeconds: 3600 },
  loop: true,
  simulateLive: true,
};

const examples: RestreamEvent[] = [
  { type: "RestreamCreated", data: { restreamId, ...definition } },
  { type: "RestreamUpdated", data: { restreamId, ...definition, loop: false } },
  { type: "RestreamDeleted", data: { restreamId } },
  { type: "RestreamStarted", data: { restreamId, runId, trigger: "schedule" } },
  { type: "RestreamStopped", data: { restreamId, runId, reason: "failed", error: "input unreadable" } },
  {
    type: "RestreamDestinationStateChanged",
    data: { restreamId, runId, destinationId, state: "errored", errorCount: 2, lastError: "refused" },
  },
];

describe("restreamEventSchema", () => {
  it("has one example per event type here, and each parses back unchanged from the log", () => {
    expect(examples.map((example) => example.type)).toEqual(restreamEventTypes);
    for (const example of examples) {
      expect(restreamEventSchema.parse(example)).toEqual(example);
      expect(parseRestreamEvent({ ...example, metadata })).toEqual({
        _tag: "Parsed",
        event: example,
        metadata,
      });
    }
  });

  it("refuses a destination URL in clear where a sealed one belongs", () => {
    const created = examples[0]!;
    const clear = {
      ...created.data,
      destinations: [{ ...definition.destinations[0]!, url: "rtmp://a.rtmp.youtube.com/live2/secret" }],
    };
    const parsed = parseRestreamEvent({ type: created.type, data: clear, metadata });
    expect(parsed._tag).toBe("MalformedEvent");
    const sealedInClear = {
      ...created.data,
      destinations: [{ ...definition.destinations[0]!, url: { masked: "x", sealed: "rtmp://host/app/key" } }],
    };
    expect(parseRestreamEvent({ type: created.type, data: sealedInClear, metadata })._tag).toBe(
      "MalformedEvent",
    );
  });
});
