import { describe, expect, it } from "vitest";
import { builtInProfiles } from "../../domain/profile/builtInProfiles.ts";
import {
  type ProfileEvent,
  parseProfileEvent,
  profileEventSchema,
  profileEventTypes,
} from "./profileEvents.ts";

const spec = builtInProfiles.hls_abr_3tier!;
const metadata = (schemaVersion = 1) => ({
  correlationId: "0f8e2c4a-3b1d-4e5f-8a9b-7c6d5e4f3a21",
  causationId: "0f8e2c4a-3b1d-4e5f-8a9b-7c6d5e4f3a21",
  actor: { userId: "u-root", role: "admin" },
  schemaVersion,
  occurredAt: "2026-11-01T08:00:00.000Z",
});

const examples: ProfileEvent[] = [
  { type: "ProfileCreated", data: { profileId: "hls_abr_3tier", spec, builtIn: true } },
  { type: "ProfileUpdated", data: { profileId: "hls_abr_3tier", spec: { ...spec, description: "ours" } } },
  { type: "ProfileDeleted", data: { profileId: "hls_abr_3tier" } },
];

describe("profileEventSchema", () => {
  it("has one example per event type here, and each parses back unchanged from the log", () => {
    expect(examples.map((example) => example.type)).toEqual(profileEventTypes);
    for (const example of examples) {
      expect(profileEventSchema.parse(example)).toEqual(example);
      expect(parseProfileEvent({ ...example, metadata: metadata() })).toEqual({
        _tag: "Parsed",
        event: example,
        metadata: metadata(),
      });
    }
  });

  it("refuses a bad profile id, a document that is not one, and a schema version it does not read", () => {
    const created = examples[0]!;
    const issuesOf = (data: unknown, version = 1) => {
      const parsed = parseProfileEvent({ type: created.type, data, metadata: metadata(version) });
      return parsed._tag === "MalformedEvent" ? parsed.issues.map((issue) => issue.path) : parsed._tag;
    };
    expect(issuesOf({ ...created.data, profileId: "Not An Id" })).toEqual(["data.profileId"]);
    expect(issuesOf({ ...created.data, spec: { ...spec, container: "avi" } })).toEqual([
      "data.spec.container",
    ]);
    expect(issuesOf(created.data, 2)).toEqual(["metadata.schemaVersion"]);
    expect(parseProfileEvent({ type: "ProfileRenamed", data: {}, metadata: metadata() })).toEqual({
      _tag: "UnknownEventType",
      type: "ProfileRenamed",
    });
  });
});
