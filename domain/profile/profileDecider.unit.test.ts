import { describe, expect, it } from "vitest";
import { type ProfileEvent, profileEventSchema } from "../../schemas/events/profileEvents.ts";
import { DeciderSpecification } from "../../test/support/deciderSpecification.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { profileDecider } from "./profileDecider.ts";

const spec = DeciderSpecification.for(profileDecider, profileEventSchema);
const profileId = "web_720p";
const document = builtInProfiles["720p_h264"]!;
const edited = { ...document, description: "for the web site" };

const created: ProfileEvent = { type: "ProfileCreated", data: { profileId, spec: document } };
const updated: ProfileEvent = { type: "ProfileUpdated", data: { profileId, spec: edited } };
const deleted: ProfileEvent = { type: "ProfileDeleted", data: { profileId } };

describe("profile decider", () => {
  it("creates a profile once; the same id again is refused (WE-JOB-015)", () => {
    spec
      .given()
      .when({ type: "CreateProfile", data: { profileId, spec: document } })
      .thenEmits(created);
    spec
      .given(created)
      .when({ type: "CreateProfile", data: { profileId, spec: document } })
      .thenRejects({ reason: "ProfileExists", code: "WE-JOB-015" });
  });

  it("marks the built-ins it seeds", () => {
    const seeded: ProfileEvent = {
      type: "ProfileCreated",
      data: { profileId, spec: document, builtIn: true },
    };
    spec
      .given()
      .when({ type: "CreateProfile", data: { profileId, spec: document, builtIn: true } })
      .thenEmits(seeded);
    expect(profileDecider.evolve(profileDecider.initialState(), seeded)).toMatchObject({ builtIn: true });
  });

  it("refuses an invalid document, naming every field at fault (WE-JOB-003)", () => {
    const bad = { ...document, container: "webm" as const, video: { ...document.video, maxrateKbps: 100 } };
    const decision = spec.given().when({ type: "CreateProfile", data: { profileId, spec: bad } });
    decision.thenRejects({ reason: "InvalidProfile", code: "WE-JOB-003" });
    expect(decision.decision).toMatchObject({
      issues: [{ field: "video.maxrate_kbps" }, { field: "video.codec" }, { field: "audio.codec" }],
    });
    spec
      .given(created)
      .when({ type: "UpdateProfile", data: { profileId, spec: bad } })
      .thenRejects({ reason: "InvalidProfile" });
  });

  it("replaces the document whole; an edit that changes nothing decides nothing", () => {
    spec
      .given(created)
      .when({ type: "UpdateProfile", data: { profileId, spec: edited } })
      .thenEmits(updated);
    spec
      .given(created, updated)
      .when({ type: "UpdateProfile", data: { profileId, spec: edited } })
      .thenEmits();
  });

  it("holds an edit to the revision its editor read (WE-JOB-016)", () => {
    spec
      .given(created, updated)
      .when({ type: "UpdateProfile", data: { profileId, spec: document, expectedRevision: 1 } })
      .thenEmits({ type: "ProfileUpdated", data: { profileId, spec: document } });
    spec
      .given(created, updated)
      .when({ type: "UpdateProfile", data: { profileId, spec: document, expectedRevision: 0 } })
      .thenRejects({ reason: "ProfileChanged", code: "WE-JOB-016" });
  });

  it("edits or deletes only a profile that exists (WE-JOB-014)", () => {
    for (const given of [[], [created, deleted]]) {
      spec
        .given(...given)
        .when({ type: "UpdateProfile", data: { profileId, spec: edited } })
        .thenRejects({ reason: "ProfileNotFound", code: "WE-JOB-014" });
      spec
        .given(...given)
        .when({ type: "DeleteProfile", data: { profileId, jobsUsing: [] } })
        .thenRejects({ reason: "ProfileNotFound" });
    }
  });

  it("deletes a profile no queued or running job uses; refuses while one does (WE-JOB-013)", () => {
    spec
      .given(created)
      .when({ type: "DeleteProfile", data: { profileId, jobsUsing: [] } })
      .thenEmits(deleted);
    const refused = spec
      .given(created)
      .when({ type: "DeleteProfile", data: { profileId, jobsUsing: ["j-1"] } });
    refused.thenRejects({ reason: "ProfileInUse", code: "WE-JOB-013" });
    expect(refused.decision).toMatchObject({ message: expect.stringContaining("j-1") });
  });

  it("creates a deleted profile's id again, counting revisions across its whole stream", () => {
    spec
      .given(created, deleted)
      .when({ type: "CreateProfile", data: { profileId, spec: document } })
      .thenEmits(created);
    const state = [created, updated, deleted, created].reduce(
      profileDecider.evolve,
      profileDecider.initialState(),
    );
    expect(state).toMatchObject({ status: "active", revision: 3, builtIn: false, spec: document });
  });
});
