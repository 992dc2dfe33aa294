// The restream aggregate as a decider value. A document is checked whole on create and edit; a run is
// started and stopped by id, so a late report of an earlier run changes nothing; a destination's state
// is stored only when it changes.
import { match } from "ts-pattern";
import type { RestreamDefinition, RestreamEvent } from "../../schemas/events/restreamEvents.ts";
import type { RestreamCommand } from "./restreamCommands.ts";
import { type RestreamRejected, restreamRejected } from "./restreamRejected.ts";
import { initialState, type RestreamState } from "./restreamState.ts";

export type RestreamDecision = { _tag: "Accepted"; events: RestreamEvent[] } | RestreamRejected;

const accepted = (...events: RestreamEvent[]): RestreamDecision => ({ _tag: "Accepted", events });

const storageSchemes = ["fs:", "s3:", "http:", "https:"];

/** What is wrong with a document, or null: the input, the schedule, and destinations named once each. */
export function definitionIssue(definition: RestreamDefinition): string | null {
  const { input, schedule, destinations } = definition;
  if (input.type === "file" && !storageSchemes.some((scheme) => input.url.startsWith(`${scheme}//`))) {
    return "input_url: a storage URL (fs://, s3://, http(s)://)";
  }
  if (input.type === "rtmp" && definition.loop) return "loop_enabled: a live input cannot loop";
  if (schedule.type === "recurring" && input.type === "rtmp" && schedule.durationSeconds === undefined) {
    // a recurring run of a live input would never end on its own
    return "schedule_config.duration_seconds: required for a recurring restream of a live input";
  }
  const ids = new Set(destinations.map((destination) => destination.destinationId));
  if (ids.size !== destinations.length) return "output_destinations: a destination is named twice";
  return null;
}

const notFound = (restreamId: string) => restreamRejected("RestreamNotFound", `No restream ${restreamId}`);

function checked(definition: RestreamDefinition, ...events: RestreamEvent[]): RestreamDecision {
  const issue = definitionIssue(definition);
  return issue === null
    ? accepted(...events)
    : restreamRejected("InvalidRestream", `Invalid restream: ${issue}`);
}

const sameDocument = (a: RestreamDefinition, b: RestreamDefinition) =>
  JSON.stringify(a) === JSON.stringify(b);

function decide(command: RestreamCommand, state: RestreamState): RestreamDecision {
  return match(command)
    .returnType<RestreamDecision>()
    .with({ type: "CreateRestream" }, ({ data: { restreamId, definition, startRunId } }) => {
      if (state.status !== "initial")
        return restreamRejected("RestreamExists", `Restream ${restreamId} exists`);
      const created: RestreamEvent = { type: "RestreamCreated", data: { restreamId, ...definition } };
      if (startRunId === undefined) return checked(definition, created);
      return checked(definition, created, {
        type: "RestreamStarted",
        data: { restreamId, runId: startRunId, trigger: "manual" },
      });
    })
    .with({ type: "UpdateRestream" }, ({ data: { restreamId, definition, expectedRevision } }) => {
      if (state.status !== "active") return notFound(restreamId);
      if (expectedRevision !== undefined && expectedRevision !== state.revision) {
        return restreamRejected(
          "RestreamChanged",
          `Restream ${restreamId} is at revision ${state.revision}, not ${expectedRevision}: someone changed it since`,
        );
      }
      if (sameDocument(state.definition, definition)) return accepted();
      return checked(definition, { type: "RestreamUpdated", data: { restreamId, ...definition } });
    })
    .with({ type: "DeleteRestream" }, ({ data: { restreamId } }) => {
      if (state.status !== "active") return notFound(restreamId);
      const deleted: RestreamEvent = { type: "RestreamDeleted", data: { restreamId } };
      if (state.run === null) return accepted(deleted);
      return accepted(
        { type: "RestreamStopped", data: { restreamId, runId: state.run.runId, reason: "deleted" } },
        deleted,
      );
    })
    .with({ type: "StartRestream" }, ({ data }) => {
      if (state.status !== "active") return notFound(data.restreamId);
      if (state.run !== null) {
        return restreamRejected(
          "AlreadyStreaming",
          `Restream ${data.restreamId} is streaming (run ${state.run.runId})`,
        );
      }
      return accepted({ type: "RestreamStarted", data });
    })
    .with({ type: "StopRestream" }, ({ data: { restreamId, runId, reason, error } }) => {
      if (state.status !== "active") return notFound(restreamId);
      if (state.run === null || (runId !== undefined && runId !== state.run.runId)) {
        // a run that is over already: the one who asked by id is told nothing new
        return runId === undefined
          ? restreamRejected("NotStreaming", `Restream ${restreamId} is not streaming`)
          : accepted();
      }
      return accepted({
        type: "RestreamStopped",
        data: { restreamId, runId: state.run.runId, reason, ...(error === undefined ? {} : { error }) },
      });
    })
    .with({ type: "ReportDestinationState" }, ({ data }) => {
      if (state.status !== "active") return notFound(data.restreamId);
      const { run } = state;
      if (run === null || run.runId !== data.runId) return accepted();
      if (
        !state.definition.destinations.some((destination) => destination.destinationId === data.destinationId)
      ) {
        return accepted();
      }
      const before = run.destinations[data.destinationId]?.state ?? "idle";
      if (before === data.state) return accepted();
      return accepted({ type: "RestreamDestinationStateChanged", data });
    })
    .exhaustive();
}

const revisionAfter = (state: RestreamState) => (state.status === "initial" ? 0 : state.revision + 1);

// every event moves the stream's revision on, whether or not it changes anything else
function evolve(state: RestreamState, event: RestreamEvent): RestreamState {
  const revision = revisionAfter(state);
  const next = evolveDocument(state, event, revision);
  return next.status === "initial" ? next : { ...next, revision };
}

function evolveDocument(state: RestreamState, event: RestreamEvent, revision: number): RestreamState {
  if (state.status === "deleted") return state;
  return match(event)
    .returnType<RestreamState>()
    .with({ type: "RestreamCreated" }, ({ data: { restreamId, ...definition } }) => ({
      status: "active",
      restreamId,
      definition,
      revision,
      run: null,
    }))
    .with({ type: "RestreamUpdated" }, ({ data: { restreamId: _, ...definition } }) =>
      state.status === "active" ? { ...state, definition, revision } : state,
    )
    .with({ type: "RestreamDeleted" }, ({ data }) => ({
      status: "deleted",
      restreamId: data.restreamId,
      revision,
    }))
    .with({ type: "RestreamStarted" }, ({ data }) =>
      state.status === "active"
        ? { ...state, revision, run: { runId: data.runId, destinations: {} } }
        : state,
    )
    .with({ type: "RestreamStopped" }, ({ data }) =>
      state.status === "active" && state.run?.runId === data.runId
        ? { ...state, revision, run: null }
        : state,
    )
    .with({ type: "RestreamDestinationStateChanged" }, ({ data }) => {
      if (state.status !== "active" || state.run?.runId !== data.runId) return state;
      const { state: destinationState, errorCount, lastError } = data;
      const destinations = {
        ...state.run.destinations,
        [data.destinationId]: {
          state: destinationState,
          errorCount,
          ...(lastError === undefined ? {} : { lastError }),
        },
      };
      return { ...state, revision, run: { ...state.run, destinations } };
    })
    .exhaustive();
}

export const restreamDecider = { decide, evolve, initialState };
