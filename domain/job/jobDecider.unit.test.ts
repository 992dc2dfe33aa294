// Properties of the job decider over arbitrary command sequences, valid and invalid: the state stays
// consistent, terminal states stay terminal, and the events alone rebuild the state.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { currentSchemaVersion } from "../../schemas/events/currentSchemaVersion.ts";
import { type JobEvent, jobEventSchema, type PlannedTask } from "../../schemas/events/jobEvents.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import { DeciderSpecification, deepFreeze } from "../../test/support/deciderSpecification.ts";
import type { JobCommand } from "./commands.ts";
import { foldJob, jobDecider } from "./jobDecider.ts";
import { isTerminal, type JobState } from "./jobState.ts";

const jobId = "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11";
const taskPool = [
  "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
  "8e2f3a4b-5c6d-4e7f-9a0b-1c2d3e4f5a6b",
  "9f3a4b5c-6d7e-4f8a-8b1c-2d3e4f5a6b7c",
  "a04b5c6d-7e8f-4a9b-9c2d-3e4f5a6b7c8d",
] as const;
const otherJobs = [
  jobId,
  "9d3a1f2e-6b4c-4d8e-a1f0-3c2b1a0e9f87",
  "3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b",
] as const;
const checksum = `sha256:${"0f".repeat(32)}`;
const exitClasses = ["input", "transient", "oom", "timeout", "stalled", "cancelled"] as const;

const taskId = fc.constantFrom(...taskPool);
const attempt = fc.integer({ min: 0, max: 4 });
const workerId = fc.constantFrom("worker-a", "worker-b");
const pct = fc.oneof(fc.integer({ min: -5, max: 105 }), fc.double({ min: 0, max: 100, noNaN: true }));
const now = fc
  .integer({ min: Date.parse("2026-01-01T00:00:00Z"), max: Date.parse("2027-01-01T00:00:00Z") })
  .map((ms) => new Date(ms).toISOString());

const plan: fc.Arbitrary<PlannedTask[]> = fc
  .tuple(fc.shuffledSubarray([...taskPool], { minLength: 1 }), fc.boolean())
  .map(([ids, broken]) =>
    ids.map((id, index) => ({
      taskId: id,
      sequenceIndex: broken && index > 0 ? index + 1 : index,
      startTimeSec: index * 10,
      endTimeSec: index * 10 + 10,
    })),
  );

const rawCommand: fc.Arbitrary<JobCommand> = fc.oneof(
  fc.constant<JobCommand>({
    type: "SubmitJob",
    data: {
      jobId,
      userId: "u-1",
      sourceType: "url",
      sourceUrl: "https://x/a.mp4",
      profileId: "p",
      outputConfig: {},
    },
  }),
  fc.constant<JobCommand>({
    type: "RecordProbe",
    data: { durationSec: 40, format: "mp4", sizeBytes: 100, video: null, audio: null },
  }),
  fc.constant<JobCommand>({ type: "FailProbe", data: { message: "unreadable" } }),
  fc.record({ tasks: plan, maxAttempts: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }) }).map(
    ({ tasks, maxAttempts }): JobCommand => ({
      type: "PlanJob",
      data: maxAttempts === undefined ? { tasks } : { tasks, maxAttempts },
    }),
  ),
  fc.record({ taskId, attempt, workerId }).map((data): JobCommand => ({ type: "StartTask", data })),
  fc.record({ taskId, attempt, pct }).map((data): JobCommand => ({ type: "RecordTaskProgress", data })),
  fc.record({ taskId, attempt }).map(
    (data): JobCommand => ({
      type: "CompleteTask",
      data: { ...data, outputKey: "k", sizeBytes: 1, checksum, durationSec: 10 },
    }),
  ),
  fc
    .record({ taskId, attempt, exitClass: fc.constantFrom(...exitClasses), now })
    .map((data): JobCommand => ({ type: "FailTask", data: { ...data, message: "m", stderrTail: "" } })),
  fc.constant<JobCommand>({ type: "CompleteStitch", data: {} }),
  fc.boolean().map(
    (withOutput): JobCommand => ({
      type: "CompleteUpload",
      data: {
        outputs: withOutput
          ? [{ name: "f.mp4", type: "final", key: "f.mp4", sizeBytes: 1, checksum, profile: "p" }]
          : [],
      },
    }),
  ),
  fc.constant<JobCommand>({ type: "FailUpload", data: { code: "WE-STO-001", message: "missing" } }),
  fc.constant<JobCommand>({ type: "FailJob", data: { code: "WE-JOB-008", message: "given up" } }),
  fc
    .option(fc.string(), { nil: undefined })
    .map((reason): JobCommand => ({ type: "CancelJob", data: reason === undefined ? {} : { reason } })),
  fc.constantFrom(...otherJobs).map((newJobId): JobCommand => ({ type: "RetryJob", data: { newJobId } })),
  fc.constant<JobCommand>({ type: "DeleteJob", data: {} }),
);

/** A task command aimed at the current attempt of one of the job's tasks, so runs get somewhere. */
type Aimed = {
  aim: "StartTask" | "RecordTaskProgress" | "CompleteTask" | "FailTask" | "CompleteStitch" | "CompleteUpload";
  taskIndex: number;
  workerId: string;
  pct: number;
  exitClass: (typeof exitClasses)[number];
  now: string;
};
const aimed: fc.Arbitrary<Aimed> = fc.record({
  aim: fc.constantFrom(
    "StartTask",
    "StartTask",
    "RecordTaskProgress",
    "CompleteTask",
    "CompleteTask",
    "FailTask",
    "CompleteStitch",
    "CompleteUpload",
  ),
  taskIndex: fc.nat({ max: 7 }),
  workerId,
  pct,
  exitClass: fc.constantFrom(...exitClasses),
  now,
});

function resolve(step: JobCommand | Aimed, state: JobState): JobCommand {
  if (!("aim" in step)) return step;
  const tasks = state.status === "initial" ? [] : state.tasks;
  // Half the time the first unfinished task, as a worker pool would; else any task.
  const unfinished = tasks.find((candidate) => candidate.status !== "completed");
  const task =
    (step.taskIndex % 2 === 0 ? unfinished : undefined) ?? tasks[step.taskIndex % Math.max(tasks.length, 1)];
  const id = task?.taskId ?? taskPool[step.taskIndex % taskPool.length]!;
  const current = task?.attempt ?? 1;
  switch (step.aim) {
    case "StartTask":
      return { type: "StartTask", data: { taskId: id, attempt: current, workerId: step.workerId } };
    case "RecordTaskProgress":
      return { type: "RecordTaskProgress", data: { taskId: id, attempt: current, pct: step.pct } };
    case "CompleteTask":
      return {
        type: "CompleteTask",
        data: { taskId: id, attempt: current, outputKey: "k", sizeBytes: 1, checksum, durationSec: 10 },
      };
    case "FailTask":
      return {
        type: "FailTask",
        data: {
          taskId: id,
          attempt: current,
          exitClass: step.exitClass,
          message: "m",
          stderrTail: "",
          now: step.now,
        },
      };
    case "CompleteStitch":
      return { type: "CompleteStitch", data: {} };
    case "CompleteUpload":
      return {
        type: "CompleteUpload",
        data: {
          outputs: [{ name: "f.mp4", type: "final", key: "f.mp4", sizeBytes: 1, checksum, profile: "p" }],
        },
      };
  }
}

const steps = fc.array(fc.oneof({ weight: 1, arbitrary: rawCommand }, { weight: 4, arbitrary: aimed }), {
  minLength: 5,
  maxLength: 80,
  size: "max",
});

/** The usual opening, so most runs get past submission, probing and planning. */
const opening = (tasks: PlannedTask[]): JobCommand[] => [
  {
    type: "SubmitJob",
    data: {
      jobId,
      userId: "u-1",
      sourceType: "upload",
      sourceUrl: "fs://uploads/a.mp4",
      profileId: "p",
      outputConfig: {},
    },
  },
  { type: "RecordProbe", data: { durationSec: 40, format: "mp4", sizeBytes: 100, video: null, audio: null } },
  { type: "PlanJob", data: { tasks } },
];
const validPlan = fc.shuffledSubarray([...taskPool], { minLength: 1 }).map((ids) =>
  ids.map((id, index) => ({
    taskId: id,
    sequenceIndex: index,
    startTimeSec: index * 10,
    endTimeSec: index * 10 + 10,
  })),
);
const run = fc.oneof(
  { weight: 1, arbitrary: steps },
  { weight: 3, arbitrary: fc.tuple(validPlan, steps).map(([tasks, rest]) => [...opening(tasks), ...rest]) },
);

const jobSpecification = DeciderSpecification.for(jobDecider, jobEventSchema);

interface Run {
  states: JobState[];
  events: JobEvent[];
  decisions: number;
}

function execute(plannedSteps: (JobCommand | Aimed)[]): Run {
  let state = deepFreeze(jobDecider.initialState());
  const states = [state];
  const events: JobEvent[] = [];
  for (const step of plannedSteps) {
    const { decision } = jobSpecification.givenState(state).when(resolve(step, state));
    // A deleted job is kept for the record only: it accepts nothing.
    if (state.status !== "initial" && state.deleted) expect(decision._tag).toBe("JobRejected");
    if (decision._tag === "JobRejected") continue;
    for (const event of decision.events) {
      state = deepFreeze(jobDecider.evolve(state, deepFreeze(event)));
      events.push(event);
    }
    states.push(state);
  }
  return { states, events, decisions: states.length - 1 };
}

function expectConsistent(state: JobState) {
  if (state.status === "initial") return;
  const completedTasks = state.tasks.filter((task) => task.status === "completed").length;
  const allDone = state.tasksTotal > 0 && completedTasks === state.tasksTotal;
  expect(state.tasksTotal).toBe(state.tasks.length);
  expect(state.tasksCompleted).toBe(completedTasks);
  expect(state.tasksCompleted).toBeLessThanOrEqual(state.tasksTotal);
  expect(Number.isInteger(state.progressPct) && state.progressPct >= 0 && state.progressPct <= 100).toBe(
    true,
  );
  for (const task of state.tasks) {
    expect(task.attempt).toBeGreaterThanOrEqual(1);
    expect(task.attempt).toBeLessThanOrEqual(state.maxAttempts);
    expect([0, 25, 50, 75, 100]).toContain(task.progressPct);
    expect(task.progressPct === 100).toBe(task.status === "completed");
    if (task.status === "running" || task.status === "completed") expect(task.workerId).not.toBeNull();
    if (task.status === "scheduled") expect(task.workerId).toBeNull();
  }
  if (state.status === "processing") expect(state.tasksTotal).toBeGreaterThan(0);
  if (state.status === "stitching") expect(state.tasksTotal).toBeGreaterThan(1);
  if (["stitching", "uploading", "completed"].includes(state.status)) expect(allDone).toBe(true);
  expect(state.outputs.length > 0).toBe(state.status === "completed");
  expect(state.failure !== null).toBe(state.status === "failed");
}

describe("jobDecider", () => {
  it("never reaches an inconsistent state, whatever the commands", () => {
    fc.assert(
      fc.property(run, (plannedSteps) => {
        const { states, events } = execute(plannedSteps);
        for (const state of states) expectConsistent(state);
        for (const [before, after] of states.slice(1).map((state, i) => [states[i]!, state] as const)) {
          if (before.status === "initial") continue;
          expect(after.status).not.toBe("initial");
          if (after.status === "initial") continue;
          if (isTerminal(before.status)) expect(after.status).toBe(before.status);
        }
        const count = (...types: JobEvent["type"][]) =>
          events.filter((event) => types.includes(event.type)).length;
        expect(count("JobCompleted", "JobFailed")).toBeLessThanOrEqual(1);
        expect(count("JobSubmitted")).toBeLessThanOrEqual(1);
        expect(count("JobDeleted")).toBeLessThanOrEqual(1);
        expect(count("JobStitchingStarted")).toBeLessThanOrEqual(1);
        expect(count("JobCancelled")).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it("rebuilds the state it ended in from its events alone, also after storing and reading them", () => {
    fc.assert(
      fc.property(run, (plannedSteps) => {
        const { states, events } = execute(plannedSteps);
        const last = states.at(-1)!;
        expect(foldJob(events)).toEqual(last);
        const reread = events.map((event) => {
          const parsed = parseStoredEvent({
            type: event.type,
            data: JSON.parse(JSON.stringify(event.data)),
            metadata: {
              correlationId: jobId,
              causationId: jobId,
              actor: { userId: "system", role: "system" },
              schemaVersion: currentSchemaVersion(event.type),
              occurredAt: "2026-11-01T08:00:00.000Z",
            },
          });
          if (parsed._tag !== "Parsed")
            throw new Error(`${event.type} did not survive storage: ${JSON.stringify(parsed)}`);
          return parsed.event;
        });
        expect(foldJob(reread)).toEqual(last);
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it("reaches every status from generated runs (the generators are not too timid)", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(run, (plannedSteps) => {
        for (const state of execute(plannedSteps).states) {
          seen.add(state.status);
          if (state.status !== "initial" && state.deleted) seen.add("deleted");
        }
      }),
      { numRuns: 500, seed: 42 },
    );
    expect([...seen].sort()).toEqual(
      [
        "initial",
        "queued",
        "processing",
        "stitching",
        "uploading",
        "completed",
        "failed",
        "cancelled",
        "deleted",
      ].sort(),
    );
  }, 30_000);
});

describe("foldJob", () => {
  it("folds a two-task job into what a read model shows", () => {
    const [a, b] = taskPool;
    const state = foldJob([
      {
        type: "JobSubmitted",
        data: {
          jobId,
          userId: "u-1",
          sourceType: "upload",
          sourceUrl: "fs://uploads/a.mp4",
          profileId: "p",
          outputConfig: {},
        },
      },
      {
        type: "JobSourceProbed",
        data: { durationSec: 20, format: "mp4", sizeBytes: 100, video: null, audio: null },
      },
      {
        type: "JobPlanned",
        data: {
          tasks: [
            { taskId: a, sequenceIndex: 0, startTimeSec: 0, endTimeSec: 10 },
            { taskId: b, sequenceIndex: 1, startTimeSec: 10, endTimeSec: 20 },
          ],
          maxAttempts: 3,
        },
      },
      { type: "TaskScheduled", data: { taskId: a, attempt: 1 } },
      { type: "TaskScheduled", data: { taskId: b, attempt: 1 } },
      { type: "TaskStarted", data: { taskId: a, attempt: 1, workerId: "worker-a" } },
      { type: "TaskProgressed", data: { taskId: a, attempt: 1, milestonePct: 50 } },
      { type: "TaskStarted", data: { taskId: b, attempt: 1, workerId: "worker-b" } },
      {
        type: "TaskFailed",
        data: { taskId: b, attempt: 1, exitClass: "oom", message: "killed", stderrTail: "" },
      },
      {
        type: "TaskRetryScheduled",
        data: { taskId: b, nextAttempt: 2, notBefore: "2026-11-01T08:00:05.000Z", delayMs: 5000 },
      },
      { type: "TaskScheduled", data: { taskId: b, attempt: 2, notBefore: "2026-11-01T08:00:05.000Z" } },
      {
        type: "TaskCompleted",
        data: { taskId: a, attempt: 1, outputKey: "a.mp4", sizeBytes: 7, checksum, durationSec: 10 },
      },
    ]);
    expect(state).toMatchObject({
      status: "processing",
      tasksTotal: 2,
      tasksCompleted: 1,
      progressPct: 50,
      tasks: [
        {
          taskId: a,
          status: "completed",
          attempt: 1,
          workerId: "worker-a",
          progressPct: 100,
          outputKey: "a.mp4",
          sizeBytes: 7,
        },
        {
          taskId: b,
          status: "scheduled",
          attempt: 2,
          workerId: null,
          progressPct: 0,
          notBefore: "2026-11-01T08:00:05.000Z",
        },
      ],
    });
  });
});
