// The job aggregate as an Emmett-style decider value: the command side loads the `job-{id}` stream,
// folds it, decides, and appends the events at the revision it read.
import type { JobEvent } from "../../schemas/events/jobEvents.ts";
import { decide } from "./decide.ts";
import { evolve } from "./evolve.ts";
import { initialState, type JobState } from "./jobState.ts";

export const jobDecider = { decide, evolve, initialState };

/** The state a job's events add up to. */
export const foldJob = (events: readonly JobEvent[], from: JobState = initialState()): JobState =>
  events.reduce(evolve, from);
