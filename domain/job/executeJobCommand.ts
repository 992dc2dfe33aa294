// The command side's one loop for jobs: load the job stream, fold it, decide, append at the revision
// read; on a concurrent write, reload and decide again. Does I/O only through the event-store port.

import { currentSchemaVersion } from "../../schemas/events/currentSchemaVersion.ts";
import type { EventMetadata } from "../../schemas/events/eventMetadata.ts";
import type { JobEvent } from "../../schemas/events/jobEvents.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import type { EventData, EventStore, RecordedEvent } from "../ports/eventStore.ts";
import type { JobCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import { evolve } from "./evolve.ts";
import type { JobRejected } from "./jobRejected.ts";
import { initialState, type JobState } from "./jobState.ts";

export const jobStreamId = (jobId: string) => `job-${jobId}`;

/** Who asks and why; `occurredAt` and `schemaVersion` are filled in per event. */
export type CommandContext = Omit<EventMetadata, "occurredAt" | "schemaVersion">;

export interface JobCommandDeps {
  store: EventStore;
  newId: () => string;
  now: () => Date;
}

export type JobCommandResult =
  | {
      _tag: "Executed";
      /** The events this command appended (empty when it was a repeat with nothing new). */
      events: JobEvent[];
      state: JobState;
      /** Position of the last event of the stream after the command (read-your-writes). */
      position: number;
    }
  | JobRejected;

export interface LoadedJob {
  state: JobState;
  revision: number | "no_stream";
  position: number;
}

export async function loadJob(store: EventStore, jobId: string): Promise<LoadedJob> {
  const recorded: RecordedEvent[] = await store.readStream(jobStreamId(jobId));
  let state = initialState();
  for (const event of recorded) {
    const parsed = parseStoredEvent(event);
    if (parsed._tag !== "Parsed") {
      throw new Error(`job ${jobId}: cannot read event at revision ${event.revision}: ${parsed._tag}`);
    }
    state = evolve(state, parsed.event);
  }
  const last = recorded.at(-1);
  return { state, revision: last ? last.revision : "no_stream", position: last?.position ?? 0 };
}

const MAX_ATTEMPTS = 8;

export async function executeJobCommand(
  deps: JobCommandDeps,
  jobId: string,
  command: JobCommand | ((state: JobState) => JobCommand),
  context: CommandContext,
): Promise<JobCommandResult> {
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadJob(deps.store, jobId);
    const decision = decide(typeof command === "function" ? command(loaded.state) : command, loaded.state);
    if (decision._tag === "JobRejected") return decision;
    if (decision.events.length === 0) {
      return { _tag: "Executed", events: [], state: loaded.state, position: loaded.position };
    }
    const occurredAt = deps.now().toISOString();
    const data: EventData[] = decision.events.map((event) => ({
      id: deps.newId(),
      type: event.type,
      data: event.data,
      metadata: { ...context, occurredAt, schemaVersion: currentSchemaVersion(event.type) },
    }));
    const outcome = await deps.store.append(jobStreamId(jobId), data, {
      expected: loaded.revision === "no_stream" ? "no_stream" : loaded.revision,
    });
    if (outcome._tag === "Appended") {
      return {
        _tag: "Executed",
        events: decision.events,
        state: decision.events.reduce(evolve, loaded.state),
        position: outcome.position,
      };
    }
    if (outcome._tag === "StreamDeleted") throw new Error(`job stream ${jobStreamId(jobId)} is deleted`);
    if (attempt >= MAX_ATTEMPTS) {
      throw new Error(`job ${jobId}: gave up after ${attempt} concurrent-write conflicts`);
    }
  }
}
