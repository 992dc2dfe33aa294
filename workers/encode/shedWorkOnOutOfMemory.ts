// The spec retries an out-of-memory failure "on another worker with fewer parallel tasks". Each worker
// runs one task at a time, so a process's parallel tasks are its workers: when an encode of this
// process runs out of memory, one of its other workers is drained (it finishes what it holds and takes
// nothing new; an admin may undrain it). The worker that failed keeps taking work, so one always does.
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import type { WorkerCommands } from "../../domain/ports/workerCommands.ts";
import { reactionContext, workerActor } from "../reactionContext.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";

export interface ShedWorkDeps {
  jobs: JobCommands;
  workers: WorkerCommands;
  newId: () => string;
  log?: WorkerLog;
}

export interface ShedWork {
  /** The job commands worker `workerId` of this process uses: its out-of-memory failures shed a sibling. */
  jobsOf(workerId: string): JobCommands;
}

export function shedWorkOnOutOfMemory(deps: ShedWorkDeps): ShedWork {
  const log = deps.log ?? silentLog;
  const siblings: string[] = [];

  async function shedOne(failedOn: string): Promise<void> {
    // the newest sibling that still takes work; never the one that failed, so one always stays
    for (const sibling of [...siblings].reverse()) {
      if (sibling === failedOn) continue;
      const context = reactionContext({ id: deps.newId() }, workerActor(failedOn));
      const drained = await deps.workers.execute(
        { type: "DrainWorker", data: { workerId: sibling } },
        context,
      );
      // refused (it stopped) or already drained: the next one
      if (drained._tag === "WorkerRejected" || drained.events.length === 0) continue;
      log(
        "warn",
        `an encode of worker ${failedOn} ran out of memory: worker ${sibling} drained to run fewer tasks at once`,
      );
      return;
    }
  }

  return {
    jobsOf(workerId) {
      siblings.push(workerId);
      return {
        ...deps.jobs,
        async execute(jobId, command, context) {
          const result = await deps.jobs.execute(jobId, command, context);
          const outOfMemory =
            result._tag === "Executed" &&
            result.events.some((e) => e.type === "TaskFailed" && e.data.exitClass === "oom");
          if (outOfMemory)
            await shedOne(workerId).catch((error: Error) =>
              log("warn", `shedding work after an out-of-memory failure failed: ${error.message}`),
            );
          return result;
        },
      };
    },
  };
}
