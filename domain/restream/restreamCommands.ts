// What may be asked of a restream: create it, replace its document, delete it, start and stop runs, and
// (from the process running it) report a destination's state. Ids and times come in with the command.
import type {
  DestinationState,
  RestreamDefinition,
  RestreamStopReason,
} from "../../schemas/events/restreamEvents.ts";

export type CreateRestream = {
  type: "CreateRestream";
  /** `startRunId`: start a first run at once (schedule immediate). */
  data: { restreamId: string; definition: RestreamDefinition; startRunId?: string };
};
export type UpdateRestream = {
  type: "UpdateRestream";
  data: { restreamId: string; definition: RestreamDefinition; expectedRevision?: number };
};
export type DeleteRestream = { type: "DeleteRestream"; data: { restreamId: string } };
export type StartRestream = {
  type: "StartRestream";
  data: { restreamId: string; runId: string; trigger: "manual" | "schedule" };
};
export type StopRestream = {
  type: "StopRestream";
  /** `runId`: stop only that run (a schedule's end, a run's own failure); absent: whatever run is on. */
  data: { restreamId: string; runId?: string; reason: RestreamStopReason; error?: string };
};
export type ReportDestinationState = {
  type: "ReportDestinationState";
  data: {
    restreamId: string;
    runId: string;
    destinationId: string;
    state: DestinationState;
    errorCount: number;
    lastError?: string;
  };
};

export type RestreamCommand =
  | CreateRestream
  | UpdateRestream
  | DeleteRestream
  | StartRestream
  | StopRestream
  | ReportDestinationState;
