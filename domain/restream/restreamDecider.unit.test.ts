import { describe, expect, it } from "vitest";
import { type RestreamEvent, restreamEventSchema } from "../../schemas/events/restreamEvents.ts";
import { DeciderSpecification } from "../../test/support/deciderSpecification.ts";
import { restreamDecider } from "./restreamDecider.ts";

const spec = DeciderSpecification.for(restreamDecider, restreamEventSchema);
const restreamId = "6b0f6f0e-2f0a-4c38-9d43-0f0e2d7e1a11";
const runId = "7c1a7a1f-3a1b-4d49-8e54-1a1f3e8f2b22";
const laterRun = "9e3c9c3b-5c3d-4f6b-8a76-3c3b5a0b4d44";
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
  schedule: { type: "immediate" as const },
  loop: true,
  simulateLive: true,
};
const created: RestreamEvent = { type: "RestreamCreated", data: { restreamId, ...definition } };
const started: RestreamEvent = { type: "RestreamStarted", data: { restreamId, runId, trigger: "manual" } };
const stopped: RestreamEvent = { type: "RestreamStopped", data: { restreamId, runId, reason: "requested" } };
const report = (state: "connecting" | "live" | "errored", errorCount = 0, lastError?: string) => ({
  type: "ReportDestinationState" as const,
  data: { restreamId, runId, destinationId, state, errorCount, ...(lastError ? { lastError } : {}) },
});

describe("restream decider", () => {
  it("creates a restream, and starts its first run at once when asked (schedule immediate)", () => {
    spec.given().when({ type: "CreateRestream", data: { restreamId, definition } }).thenEmits(created);
    spec
      .given()
      .when({ type: "CreateRestream", data: { restreamId, definition, startRunId: runId } })
      .thenEmits(created, started);
    spec
      .given(created)
      .when({ type: "CreateRestream", data: { restreamId, definition } })
      .thenRejects({ reason: "RestreamExists" });
  });

  it("refuses a file input that is not a storage URL, a looping live input, twice the same destination (WE-STR-013)", () => {
    const live = { ...definition, input: { type: "rtmp" as const, streamId: restreamId } };
    for (const bad of [
      { ...definition, input: { type: "file" as const, url: "/etc/passwd" } },
      live,
      { ...live, loop: false, schedule: { type: "recurring" as const, cron: "0 20 * * 5" } },
      { ...definition, destinations: [definition.destinations[0]!, definition.destinations[0]!] },
    ]) {
      spec
        .given()
        .when({ type: "CreateRestream", data: { restreamId, definition: bad } })
        .thenRejects({ reason: "InvalidRestream", code: "WE-STR-013" });
    }
  });

  it("starts one run at a time (WE-STR-011) and stops only a run that is on (WE-STR-014)", () => {
    spec
      .given(created)
      .when({ type: "StartRestream", data: { restreamId, runId, trigger: "manual" } })
      .thenEmits(started);
    spec
      .given(created, started)
      .when({ type: "StartRestream", data: { restreamId, runId: laterRun, trigger: "schedule" } })
      .thenRejects({ reason: "AlreadyStreaming", code: "WE-STR-011" });
    spec
      .given(created, started)
      .when({ type: "StopRestream", data: { restreamId, reason: "requested" } })
      .thenEmits(stopped);
    spec
      .given(created, started, stopped)
      .when({ type: "StopRestream", data: { restreamId, reason: "requested" } })
      .thenRejects({ reason: "NotStreaming", code: "WE-STR-014" });
  });

  it("ignores the end of a run that is over already, by its id", () => {
    spec
      .given(created, started, stopped)
      .when({ type: "StopRestream", data: { restreamId, runId, reason: "input_ended" } })
      .thenEmits();
    spec
      .given(created, started)
      .when({ type: "StopRestream", data: { restreamId, runId: laterRun, reason: "failed" } })
      .thenEmits();
  });

  it("stores a destination's state on its transitions only, and never from another run", () => {
    const connecting: RestreamEvent = {
      type: "RestreamDestinationStateChanged",
      data: report("connecting").data,
    };
    spec.given(created, started).when(report("connecting")).thenEmits(connecting);
    spec.given(created, started, connecting).when(report("connecting")).thenEmits();
    spec
      .given(created, started, connecting)
      .when(report("errored", 1, "connection refused"))
      .thenEmits({
        type: "RestreamDestinationStateChanged",
        data: report("errored", 1, "connection refused").data,
      });
    spec.given(created, started, stopped).when(report("live")).thenEmits();
    spec.given(created).when(report("live")).thenEmits();
  });

  it("deletes a streaming restream by stopping its run first; then it is gone (WE-STR-010)", () => {
    const deleted: RestreamEvent = { type: "RestreamDeleted", data: { restreamId } };
    spec
      .given(created, started)
      .when({ type: "DeleteRestream", data: { restreamId } })
      .thenEmits({ type: "RestreamStopped", data: { restreamId, runId, reason: "deleted" } }, deleted);
    spec
      .given(created, deleted)
      .when({ type: "StartRestream", data: { restreamId, runId, trigger: "manual" } })
      .thenRejects({ reason: "RestreamNotFound", code: "WE-STR-010" });
  });

  it("holds an edit to the revision read (WE-STR-012); an edit that changes nothing decides nothing", () => {
    const edited = { ...definition, loop: false };
    spec
      .given(created, started)
      .when({ type: "UpdateRestream", data: { restreamId, definition: edited, expectedRevision: 1 } })
      .thenEmits({ type: "RestreamUpdated", data: { restreamId, ...edited } });
    spec
      .given(created, started)
      .when({ type: "UpdateRestream", data: { restreamId, definition: edited, expectedRevision: 0 } })
      .thenRejects({ reason: "RestreamChanged", code: "WE-STR-012" });
    spec.given(created).when({ type: "UpdateRestream", data: { restreamId, definition } }).thenEmits();
  });

  it("counts every event in the revision, a late one of an earlier run too", () => {
    const late: RestreamEvent = {
      type: "RestreamStopped",
      data: { restreamId, runId: laterRun, reason: "failed" },
    };
    const state = [created, started, late].reduce(restreamDecider.evolve, restreamDecider.initialState());
    expect(state).toMatchObject({ status: "active", revision: 2, run: { runId } });
  });
});
