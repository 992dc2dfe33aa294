// The `onPoison` hook of reactors that act on job events: a job event given up on fails its job with a
// code and the reason, so the user sees why it stopped instead of a job left waiting forever.
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import type { GivenUp } from "../../domain/ports/reactor.ts";
import type { ErrorCode } from "../../schemas/errors.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { contextOfEvent } from "../reactionContext.ts";

/** True once the job failed; false (the event is then parked) when the job refused or is no job. */
export const failJobOfEvent =
  (jobs: JobCommands, reactor: string, code: ErrorCode = "WE-JOB-008") =>
  async (event: RecordedEvent, failure: GivenUp): Promise<boolean> => {
    if (!jobStream.matches(event.streamId)) return false;
    const jobId = jobStream.idOf(event.streamId);
    const result = await jobs.execute(
      jobId,
      {
        type: "FailJob",
        data: {
          code,
          message: `The ${reactor} gave up on ${event.type} after ${failure.attempts} attempts: ${failure.error}`,
        },
      },
      contextOfEvent(event),
    );
    return result._tag !== "JobRejected";
  };
