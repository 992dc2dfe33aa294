// Given these events, when this command, then exactly these events (or this rejection).
import { describe, expect, it } from "vitest";
import {
  type JobEvent,
  type JobOutput,
  jobEventSchema,
  type PlannedTask,
  type TaskKind,
} from "../../schemas/events/jobEvents.ts";
import { DeciderSpecification } from "../../test/support/deciderSpecification.ts";
import type { JobCommand } from "./commands.ts";
import { foldJob, jobDecider } from "./jobDecider.ts";

const jobId = "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11";
const newJobId = "9d3a1f2e-6b4c-4d8e-a1f0-3c2b1a0e9f87";
const taskA = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
const taskB = "8e2f3a4b-5c6d-4e7f-9a0b-1c2d3e4f5a6b";
const unknownTask = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const now = "2026-11-01T08:00:00.000Z";
const checksum = `sha256:${"0f".repeat(32)}`;

const { given } = DeciderSpecification.for(jobDecider, jobEventSchema);

// Events
const submittedData = {
  jobId,
  userId: "u-alice",
  sourceType: "upload",
  sourceUrl: "fs://uploads/clip.mp4",
  profileId: "720p_h264",
  outputConfig: {},
} as const;
const submitted: JobEvent = { type: "JobSubmitted", data: submittedData };
const probe = {
  durationSec: 20,
  format: "mov,mp4,m4a,3gp,3g2,mj2",
  sizeBytes: 4_000_000,
  video: { codec: "h264", width: 1280, height: 720, fps: 30, rotation: 0, vfr: false, pixFmt: "yuv420p" },
  audio: { codec: "aac", channels: 2, sampleRate: 48_000 },
};
const probed: JobEvent = { type: "JobSourceProbed", data: probe };
const planA: PlannedTask = { taskId: taskA, sequenceIndex: 0, startTimeSec: 0, endTimeSec: 10 };
const planB: PlannedTask = { taskId: taskB, sequenceIndex: 1, startTimeSec: 10, endTimeSec: 20 };
const planned = (tasks: PlannedTask[], maxAttempts = 3): JobEvent => ({
  type: "JobPlanned",
  data: { tasks, maxAttempts },
});
const scheduled = (taskId: string, attempt: number, notBefore?: string): JobEvent => ({
  type: "TaskScheduled",
  data: notBefore ? { taskId, attempt, kind: "video", notBefore } : { taskId, attempt, kind: "video" },
});
/** The first attempt of a task that is not a video encode. */
const scheduledFirst = (kind: TaskKind, taskId: string): JobEvent => ({
  type: "TaskScheduled",
  data: { taskId, attempt: 1, kind },
});
const started = (taskId: string, attempt = 1, workerId = "worker-a"): JobEvent => ({
  type: "TaskStarted",
  data: { taskId, attempt, workerId },
});
const progressed = (taskId: string, milestonePct: 25 | 50 | 75, attempt = 1): JobEvent => ({
  type: "TaskProgressed",
  data: { taskId, attempt, milestonePct },
});
const result = (taskId: string, attempt = 1) => ({
  taskId,
  attempt,
  outputKey: `jobs/${jobId}/tasks/${taskId}.mp4`,
  sizeBytes: 1_000,
  checksum,
  durationSec: 10,
});
const completed = (taskId: string, attempt = 1): JobEvent => ({
  type: "TaskCompleted",
  data: result(taskId, attempt),
});
const failure = (
  taskId: string,
  attempt: number,
  exitClass: "input" | "transient" | "oom" | "timeout" | "stalled" | "cancelled",
) => ({
  taskId,
  attempt,
  exitClass,
  message: "ffmpeg exited with code 1",
  stderrTail: "Conversion failed!",
});
const taskFailed = (
  taskId: string,
  attempt: number,
  exitClass: Parameters<typeof failure>[2] = "transient",
): JobEvent => ({
  type: "TaskFailed",
  data: failure(taskId, attempt, exitClass),
});
const output: JobOutput = {
  name: `${jobId}_final.mp4`,
  type: "final",
  key: `jobs/${jobId}/final.mp4`,
  sizeBytes: 2_000,
  checksum,
  profile: "720p_h264",
};
const stitching: JobEvent = { type: "JobStitchingStarted", data: {} };
const uploading: JobEvent = { type: "JobUploadingStarted", data: {} };

// Histories
const queued = [submitted, probed];
const plannedOne = [...queued, planned([planA]), scheduled(taskA, 1)];
const plannedTwo = [...queued, planned([planA, planB]), scheduled(taskA, 1), scheduled(taskB, 1)];
const runningA = [...plannedTwo, started(taskA)];
const runningOne = [...plannedOne, started(taskA)];
const stitchingTwo = [
  ...runningA,
  completed(taskA),
  started(taskB, 1, "worker-b"),
  completed(taskB),
  stitching,
];
const uploadingTwo = [...stitchingTwo, uploading];
const uploadingOne = [...runningOne, completed(taskA), uploading];
const completedJob = [
  ...uploadingOne,
  { type: "JobCompleted", data: { outputs: [output] } } satisfies JobEvent,
];
const failedJob = [
  ...runningOne,
  taskFailed(taskA, 1, "input"),
  { type: "JobFailed", data: { code: "WE-JOB-007", message: "bad" } } satisfies JobEvent,
];
const cancelledJob = [...runningA, { type: "JobCancelled", data: { reason: "user" } } satisfies JobEvent];
const deletedJob = [
  ...runningA,
  { type: "JobCancelled", data: { reason: "deleted" } } satisfies JobEvent,
  { type: "JobDeleted", data: {} } satisfies JobEvent,
];
const retriedA = [
  ...runningA,
  progressed(taskA, 50),
  taskFailed(taskA, 1),
  {
    type: "TaskRetryScheduled",
    data: { taskId: taskA, nextAttempt: 2, notBefore: "2026-11-01T08:00:05.000Z", delayMs: 5000 },
  } satisfies JobEvent,
  scheduled(taskA, 2, "2026-11-01T08:00:05.000Z"),
];

// Commands
const submitJob: JobCommand = { type: "SubmitJob", data: submittedData };
const recordProbe: JobCommand = { type: "RecordProbe", data: probe };
const failProbe: JobCommand = { type: "FailProbe", data: { message: "moov atom not found" } };
const planJob = (tasks: PlannedTask[], maxAttempts?: number): JobCommand => ({
  type: "PlanJob",
  data: maxAttempts === undefined ? { tasks } : { tasks, maxAttempts },
});
const startTask = (taskId: string, attempt = 1, workerId = "worker-a"): JobCommand => ({
  type: "StartTask",
  data: { taskId, attempt, workerId },
});
const recordProgress = (taskId: string, pct: number, attempt = 1): JobCommand => ({
  type: "RecordTaskProgress",
  data: { taskId, attempt, pct },
});
const completeTask = (taskId: string, attempt = 1): JobCommand => ({
  type: "CompleteTask",
  data: result(taskId, attempt),
});
const failTask = (
  taskId: string,
  attempt: number,
  exitClass: Parameters<typeof failure>[2],
  at = now,
): JobCommand => ({
  type: "FailTask",
  data: { ...failure(taskId, attempt, exitClass), now: at },
});
const completeStitch: JobCommand = { type: "CompleteStitch", data: {} };
const completeUpload = (outputs: JobOutput[] = [output]): JobCommand => ({
  type: "CompleteUpload",
  data: { outputs },
});
const failUpload: JobCommand = {
  type: "FailUpload",
  data: { code: "WE-STO-001", message: "the task output is missing" },
};
const failJob: JobCommand = {
  type: "FailJob",
  data: { code: "WE-JOB-008", message: "JobSubmitted could not be handled after 5 attempts" },
};
const cancelJob = (reason?: string): JobCommand => ({
  type: "CancelJob",
  data: reason === undefined ? {} : { reason },
});
const retryJob = (id = newJobId): JobCommand => ({ type: "RetryJob", data: { newJobId: id } });
const deleteJob: JobCommand = { type: "DeleteJob", data: {} };

const processingCommands: [string, JobCommand][] = [
  ["RecordProbe", recordProbe],
  ["FailProbe", failProbe],
  ["PlanJob", planJob([planA])],
  ["StartTask", startTask(taskA)],
  ["RecordTaskProgress", recordProgress(taskA, 50)],
  ["CompleteTask", completeTask(taskA)],
  ["FailTask", failTask(taskA, 1, "transient")],
  ["CompleteStitch", completeStitch],
  ["CompleteUpload", completeUpload()],
  ["FailUpload", failUpload],
  ["FailJob", failJob],
  ["CancelJob", cancelJob("again")],
];
const allCommands: [string, JobCommand][] = [
  ["SubmitJob", submitJob],
  ...processingCommands,
  ["RetryJob", retryJob()],
  ["DeleteJob", deleteJob],
];

describe("any command", () => {
  it.each(allCommands.filter(([name]) => name !== "SubmitJob"))(
    "%s on a job that does not exist: WE-JOB-004",
    (_, command) => given().when(command).thenRejects({ code: "WE-JOB-004" }),
  );
  it.each(allCommands)("%s on a deleted job: WE-JOB-004", (_, command) =>
    given(...deletedJob)
      .when(command)
      .thenRejects({ code: "WE-JOB-004" }),
  );
  it.each(processingCommands)("%s on a cancelled job: WE-JOB-005", (_, command) =>
    given(...cancelledJob)
      .when(command)
      .thenRejects({ code: "WE-JOB-005" }),
  );
  it.each(processingCommands)("%s on a completed job: WE-JOB-006", (_, command) =>
    given(...completedJob)
      .when(command)
      .thenRejects({ code: "WE-JOB-006" }),
  );
  it.each(processingCommands)("%s on a failed job: WE-JOB-006", (_, command) =>
    given(...failedJob)
      .when(command)
      .thenRejects({ code: "WE-JOB-006" }),
  );
});

describe("SubmitJob", () => {
  it("submits a new job", () => given().when(submitJob).thenEmits(submitted));
  it("keeps the job it retries", () =>
    given()
      .when({ type: "SubmitJob", data: { ...submittedData, retryOf: newJobId } })
      .thenEmits({ type: "JobSubmitted", data: { ...submittedData, retryOf: newJobId } }));
  it("refuses a job that exists: WE-JOB-001", () =>
    given(submitted).when(submitJob).thenRejects({ code: "WE-JOB-001" }));
  const retrySubmitted: JobEvent = { type: "JobSubmitted", data: { ...submittedData, retryOf: newJobId } };
  it("takes the same retry submitted again as done, even once the job has moved on", () =>
    given(retrySubmitted, probed)
      .when({ type: "SubmitJob", data: { ...submittedData, retryOf: newJobId } })
      .thenEmits());
  it("refuses a submit that repeats another job, or none: WE-JOB-001", () => {
    given(retrySubmitted)
      .when({ type: "SubmitJob", data: { ...submittedData, retryOf: taskA } })
      .thenRejects({ code: "WE-JOB-001" });
    given(retrySubmitted).when(submitJob).thenRejects({ code: "WE-JOB-001" });
  });
});

describe("RecordProbe", () => {
  it("records the source metadata", () => given(submitted).when(recordProbe).thenEmits(probed));
  it("ignores a redelivered probe", () =>
    given(...queued)
      .when(recordProbe)
      .thenEmits());
});

describe("FailProbe", () => {
  it("fails an unreadable source with WE-JOB-007, no retries", () =>
    given(submitted)
      .when(failProbe)
      .thenEmits({ type: "JobFailed", data: { code: "WE-JOB-007", message: "moov atom not found" } }));
  it("fails a probed source the planner cannot use", () =>
    given(...queued)
      .when(failProbe)
      .thenEmits({ type: "JobFailed", data: { code: "WE-JOB-007", message: "moov atom not found" } }));
  it("fails an unreachable or forbidden source with the code it is given", () =>
    given(submitted)
      .when({ type: "FailProbe", data: { message: "answered 403 Forbidden", code: "WE-JOB-002" } })
      .thenEmits({ type: "JobFailed", data: { code: "WE-JOB-002", message: "answered 403 Forbidden" } }));
  it("refuses once the job is planned: WE-JOB-001", () =>
    given(...plannedOne)
      .when(failProbe)
      .thenRejects({ code: "WE-JOB-001" }));
});

describe("PlanJob", () => {
  it("plans the tasks in sequence order and schedules each for its first attempt", () =>
    given(...queued)
      .when(planJob([planB, planA]))
      .thenEmits(planned([planA, planB], 3), scheduled(taskA, 1), scheduled(taskB, 1)));
  it("takes the profile's number of attempts", () =>
    given(...queued)
      .when(planJob([planA], 5))
      .thenEmits(planned([planA], 5), scheduled(taskA, 1)));
  it("ignores a redelivered identical plan", () =>
    given(...plannedTwo)
      .when(planJob([planB, planA]))
      .thenEmits());
  it("refuses another plan: WE-JOB-001", () =>
    given(...plannedTwo)
      .when(planJob([planA]))
      .thenRejects({ code: "WE-JOB-001" }));
  it("refuses to plan an unprobed source: WE-JOB-001", () =>
    given(submitted)
      .when(planJob([planA]))
      .thenRejects({ code: "WE-JOB-001" }));
  it.each([
    ["no tasks", []],
    ["a repeated task id", [planA, { ...planB, taskId: taskA }]],
    ["a gap in the sequence", [planA, { ...planB, sequenceIndex: 2 }]],
    ["a repeated sequence index", [planA, { ...planB, sequenceIndex: 0 }]],
    ["a task covering no time", [{ ...planA, endTimeSec: 0 }]],
  ] as [string, PlannedTask[]][])("refuses a plan with %s: WE-JOB-001", (_, tasks) =>
    given(...queued)
      .when(planJob(tasks))
      .thenRejects({ code: "WE-JOB-001" }),
  );
  it("refuses zero attempts: WE-JOB-001", () =>
    given(...queued)
      .when(planJob([planA], 0))
      .thenRejects({ code: "WE-JOB-001" }));
});

describe("StartTask", () => {
  it("starts a scheduled attempt and the job starts processing", () => {
    given(...plannedTwo)
      .when(startTask(taskA))
      .thenEmits(started(taskA));
    expect(foldJob([...plannedTwo, started(taskA)])).toMatchObject({ status: "processing" });
  });
  it("ignores a redelivery to the same worker", () =>
    given(...runningA)
      .when(startTask(taskA))
      .thenEmits());
  it("refuses another worker on a started attempt: WE-JOB-011", () =>
    given(...runningA)
      .when(startTask(taskA, 1, "worker-b"))
      .thenRejects({ code: "WE-JOB-011" }));
  it("refuses another worker on a completed attempt: WE-JOB-011", () =>
    given(...runningA, completed(taskA))
      .when(startTask(taskA, 1, "worker-b"))
      .thenRejects({ code: "WE-JOB-011" }));
  it("starts the retry attempt", () =>
    given(...retriedA)
      .when(startTask(taskA, 2, "worker-b"))
      .thenEmits(started(taskA, 2, "worker-b")));
  it("refuses a superseded attempt: WE-JOB-010", () =>
    given(...retriedA)
      .when(startTask(taskA, 1))
      .thenRejects({ code: "WE-JOB-010" }));
  it("refuses an attempt that is not scheduled yet: WE-JOB-010", () =>
    given(...plannedTwo)
      .when(startTask(taskA, 2))
      .thenRejects({ code: "WE-JOB-010" }));
  it("refuses an unknown task: WE-JOB-001", () =>
    given(...plannedTwo)
      .when(startTask(unknownTask))
      .thenRejects({ code: "WE-JOB-001" }));
  it("refuses a task before planning: WE-JOB-001", () =>
    given(...queued)
      .when(startTask(taskA))
      .thenRejects({ code: "WE-JOB-001" }));
});

describe("RecordTaskProgress", () => {
  it("stores the first milestone crossed", () =>
    given(...runningA)
      .when(recordProgress(taskA, 30))
      .thenEmits(progressed(taskA, 25)));
  it("stores only the highest milestone of a jump", () =>
    given(...runningA, progressed(taskA, 25))
      .when(recordProgress(taskA, 80))
      .thenEmits(progressed(taskA, 75)));
  it("stores nothing between milestones", () =>
    given(...runningA, progressed(taskA, 25))
      .when(recordProgress(taskA, 49.9))
      .thenEmits());
  it("stores nothing before the first milestone", () =>
    given(...runningA)
      .when(recordProgress(taskA, 10))
      .thenEmits());
  it("does not store 100 %: completion is its own event", () =>
    given(...runningA, progressed(taskA, 75))
      .when(recordProgress(taskA, 100))
      .thenEmits());
  it("ignores a late tick after completion", () =>
    given(...runningA, completed(taskA))
      .when(recordProgress(taskA, 90))
      .thenEmits());
  it("starts again from zero on a new attempt", () =>
    given(...retriedA, started(taskA, 2))
      .when(recordProgress(taskA, 26, 2))
      .thenEmits(progressed(taskA, 25, 2)));
  it("refuses a superseded attempt: WE-JOB-010", () =>
    given(...retriedA, started(taskA, 2))
      .when(recordProgress(taskA, 60, 1))
      .thenRejects({ code: "WE-JOB-010" }));
  it("refuses progress of a task not started: WE-JOB-001", () =>
    given(...plannedTwo)
      .when(recordProgress(taskA, 30))
      .thenRejects({ code: "WE-JOB-001" }));
  it("refuses an unknown task: WE-JOB-001", () =>
    given(...runningA)
      .when(recordProgress(unknownTask, 30))
      .thenRejects({ code: "WE-JOB-001" }));
  it.each([-1, 100.5, Number.NaN])("refuses progress %s: WE-JOB-001", (pct) =>
    given(...runningA)
      .when(recordProgress(taskA, pct))
      .thenRejects({ code: "WE-JOB-001" }),
  );
});

describe("CompleteTask", () => {
  it("completes a task that is not the last", () =>
    given(...runningA)
      .when(completeTask(taskA))
      .thenEmits(completed(taskA)));
  it("starts stitching after the last of several tasks", () =>
    given(...runningA, completed(taskA), started(taskB))
      .when(completeTask(taskB))
      .thenEmits(completed(taskB), stitching));
  it("goes straight to uploading after the only task", () =>
    given(...runningOne)
      .when(completeTask(taskA))
      .thenEmits(completed(taskA), uploading));
  it("ignores a redelivered result", () =>
    given(...runningA, completed(taskA))
      .when(completeTask(taskA))
      .thenEmits());
  it("refuses a result of a task not started: WE-JOB-001", () =>
    given(...plannedTwo)
      .when(completeTask(taskA))
      .thenRejects({ code: "WE-JOB-001" }));
  it("refuses the result of a superseded attempt: WE-JOB-010", () =>
    given(...retriedA, started(taskA, 2))
      .when(completeTask(taskA, 1))
      .thenRejects({ code: "WE-JOB-010" }));
  it("refuses an unknown task: WE-JOB-001", () =>
    given(...runningA)
      .when(completeTask(unknownTask))
      .thenRejects({ code: "WE-JOB-001" }));
});

describe("FailTask", () => {
  const retryOf = (attempt: number, delayMs: number, notBefore: string): JobEvent[] => [
    { type: "TaskRetryScheduled", data: { taskId: taskA, nextAttempt: attempt + 1, notBefore, delayMs } },
    scheduled(taskA, attempt + 1, notBefore),
  ];
  it("retries a transient failure after 5 s", () =>
    given(...runningA)
      .when(failTask(taskA, 1, "transient"))
      .thenEmits(taskFailed(taskA, 1), ...retryOf(1, 5_000, "2026-11-01T08:00:05.000Z")));
  it("retries the second attempt after 10 s", () =>
    given(...retriedA, started(taskA, 2))
      .when(failTask(taskA, 2, "transient"))
      .thenEmits(taskFailed(taskA, 2), ...retryOf(2, 10_000, "2026-11-01T08:00:10.000Z")));
  it.each(["timeout", "stalled"] as const)("retries a %s", (exitClass) =>
    given(...runningA)
      .when(failTask(taskA, 1, exitClass))
      .thenEmits(taskFailed(taskA, 1, exitClass), ...retryOf(1, 5_000, "2026-11-01T08:00:05.000Z")),
  );
  it("retries an out-of-memory failure away from the worker that ran out of memory", () =>
    given(...runningA)
      .when(failTask(taskA, 1, "oom"))
      .thenEmits(taskFailed(taskA, 1, "oom"), retryOf(1, 5_000, "2026-11-01T08:00:05.000Z")[0]!, {
        type: "TaskScheduled",
        data: {
          taskId: taskA,
          attempt: 2,
          kind: "video",
          notBefore: "2026-11-01T08:00:05.000Z",
          avoidWorkers: ["worker-a"],
        },
      }));
  it("keeps avoiding every worker that ran out of memory on the task, whatever failed later", () => {
    const avoidingA: JobEvent = {
      type: "TaskScheduled",
      data: {
        taskId: taskA,
        attempt: 2,
        kind: "video",
        notBefore: "2026-11-01T08:00:05.000Z",
        avoidWorkers: ["worker-a"],
      },
    };
    const secondAttemptOnB = [
      ...runningA,
      taskFailed(taskA, 1, "oom"),
      retryOf(1, 5_000, "2026-11-01T08:00:05.000Z")[0]!,
      avoidingA,
      started(taskA, 2, "worker-b"),
    ];
    given(...secondAttemptOnB)
      .when(failTask(taskA, 2, "oom"))
      .thenEmits(taskFailed(taskA, 2, "oom"), retryOf(2, 10_000, "2026-11-01T08:00:10.000Z")[0]!, {
        type: "TaskScheduled",
        data: {
          taskId: taskA,
          attempt: 3,
          kind: "video",
          notBefore: "2026-11-01T08:00:10.000Z",
          avoidWorkers: ["worker-a", "worker-b"],
        },
      });
    given(...secondAttemptOnB)
      .when(failTask(taskA, 2, "transient"))
      .thenEmits(taskFailed(taskA, 2), retryOf(2, 10_000, "2026-11-01T08:00:10.000Z")[0]!, {
        type: "TaskScheduled",
        data: {
          taskId: taskA,
          attempt: 3,
          kind: "video",
          notBefore: "2026-11-01T08:00:10.000Z",
          avoidWorkers: ["worker-a"],
        },
      });
  });
  it("fails a task whose lease ran out before it reported a start", () =>
    given(...plannedTwo)
      .when(failTask(taskA, 1, "timeout"))
      .thenEmits(taskFailed(taskA, 1, "timeout"), ...retryOf(1, 5_000, "2026-11-01T08:00:05.000Z")));
  it("fails the job with WE-JOB-008 after the last attempt", () => {
    const thirdAttempt = [
      ...queued,
      planned([planA]),
      scheduled(taskA, 1),
      started(taskA, 1),
      taskFailed(taskA, 1),
      scheduled(taskA, 2),
      started(taskA, 2),
      taskFailed(taskA, 2),
      scheduled(taskA, 3),
      started(taskA, 3),
    ];
    given(...thirdAttempt)
      .when(failTask(taskA, 3, "transient"))
      .thenEmits(taskFailed(taskA, 3), {
        type: "JobFailed",
        data: { code: "WE-JOB-008", message: "Task 0 failed after 3 attempts: ffmpeg exited with code 1" },
      });
  });
  it("fails the job at once with WE-JOB-007 on a corrupt input", () =>
    given(...runningA)
      .when(failTask(taskA, 1, "input"))
      .thenEmits(taskFailed(taskA, 1, "input"), {
        type: "JobFailed",
        data: {
          code: "WE-JOB-007",
          message: "Task 0 failed (input, not retried): ffmpeg exited with code 1",
        },
      }));
  it("fails the job with WE-JOB-008 when a task was cancelled under it", () =>
    given(...runningA)
      .when(failTask(taskA, 1, "cancelled"))
      .thenEmits(taskFailed(taskA, 1, "cancelled"), {
        type: "JobFailed",
        data: {
          code: "WE-JOB-008",
          message: "Task 0 failed (cancelled, not retried): ffmpeg exited with code 1",
        },
      }));
  it("honours a single allowed attempt", () =>
    given(...queued, planned([planA], 1), scheduled(taskA, 1), started(taskA))
      .when(failTask(taskA, 1, "oom"))
      .thenEmits(taskFailed(taskA, 1, "oom"), {
        type: "JobFailed",
        data: { code: "WE-JOB-008", message: "Task 0 failed after 1 attempt: ffmpeg exited with code 1" },
      }));
  it("refuses the failure of a superseded attempt: WE-JOB-010", () =>
    given(...retriedA)
      .when(failTask(taskA, 1, "transient"))
      .thenRejects({ code: "WE-JOB-010" }));
  it("refuses to fail a completed attempt: WE-JOB-001", () =>
    given(...runningA, completed(taskA))
      .when(failTask(taskA, 1, "transient"))
      .thenRejects({ code: "WE-JOB-001" }));
  it("refuses an unknown task: WE-JOB-001", () =>
    given(...runningA)
      .when(failTask(unknownTask, 1, "transient"))
      .thenRejects({ code: "WE-JOB-001" }));
  it("refuses a `now` that is no timestamp: WE-JOB-001", () =>
    given(...runningA)
      .when(failTask(taskA, 1, "transient", "yesterday"))
      .thenRejects({ code: "WE-JOB-001" }));
});

describe("CompleteStitch", () => {
  it("uploads the stitched output", () =>
    given(...stitchingTwo)
      .when(completeStitch)
      .thenEmits(uploading));
  it("ignores a redelivered stitch result", () =>
    given(...uploadingTwo)
      .when(completeStitch)
      .thenEmits());
  it("refuses while tasks still run: WE-JOB-001", () =>
    given(...runningA)
      .when(completeStitch)
      .thenRejects({ code: "WE-JOB-001" }));
  it("refuses on a single-task job, which never stitches: WE-JOB-001", () =>
    given(...uploadingOne)
      .when(completeStitch)
      .thenRejects({ code: "WE-JOB-001" }));
});

describe("CompleteUpload", () => {
  it("completes the job with its outputs", () =>
    given(...uploadingOne)
      .when(completeUpload())
      .thenEmits({ type: "JobCompleted", data: { outputs: [output] } }));
  it("completes a stitched job", () =>
    given(...uploadingTwo)
      .when(completeUpload())
      .thenEmits({ type: "JobCompleted", data: { outputs: [output] } }));
  it("refuses before uploading: WE-JOB-001", () =>
    given(...stitchingTwo)
      .when(completeUpload())
      .thenRejects({ code: "WE-JOB-001" }));
  it("refuses a job without outputs: WE-JOB-001", () =>
    given(...uploadingOne)
      .when(completeUpload([]))
      .thenRejects({ code: "WE-JOB-001" }));
});

describe("FailUpload", () => {
  it("fails an uploading job with the code and message it is given", () =>
    given(...uploadingOne)
      .when(failUpload)
      .thenEmits({
        type: "JobFailed",
        data: { code: "WE-STO-001", message: "the task output is missing" },
      }));
  it("refuses before uploading: WE-JOB-001", () =>
    given(...stitchingTwo)
      .when(failUpload)
      .thenRejects({ code: "WE-JOB-001" }));
});

describe("FailJob", () => {
  const failedWith: JobEvent = {
    type: "JobFailed",
    data: { code: "WE-JOB-008", message: "JobSubmitted could not be handled after 5 attempts" },
  };
  it.each([
    ["queued", queued],
    ["processing", runningA],
    ["stitching", stitchingTwo],
    ["uploading", uploadingOne],
  ])("fails a %s job with the code and message it is given", (_, history) =>
    given(...history)
      .when(failJob)
      .thenEmits(failedWith),
  );
});

describe("CancelJob", () => {
  it("cancels a queued job", () =>
    given(...queued)
      .when(cancelJob("not needed"))
      .thenEmits({ type: "JobCancelled", data: { reason: "not needed" } }));
  it("cancels a processing job without a reason", () =>
    given(...runningA)
      .when(cancelJob())
      .thenEmits({ type: "JobCancelled", data: {} }));
  it("cancels while stitching", () =>
    given(...stitchingTwo)
      .when(cancelJob())
      .thenEmits({ type: "JobCancelled", data: {} }));
  it("cancels while uploading", () =>
    given(...uploadingOne)
      .when(cancelJob())
      .thenEmits({ type: "JobCancelled", data: {} }));
});

describe("RetryJob", () => {
  const retried: JobEvent = { type: "JobRetried", data: { newJobId } };
  it("cancels an active job first", () =>
    given(...runningA)
      .when(retryJob())
      .thenEmits({ type: "JobCancelled", data: { reason: `retried as ${newJobId}` } }, retried));
  it.each([
    ["completed", completedJob],
    ["failed", failedJob],
    ["cancelled", cancelledJob],
  ])("retries a %s job as it is", (_, history) =>
    given(...history)
      .when(retryJob())
      .thenEmits(retried),
  );
  it("ignores a redelivered retry", () =>
    given(...failedJob, retried)
      .when(retryJob())
      .thenEmits());
  it("refuses to retry a job as itself: WE-JOB-001", () =>
    given(...failedJob)
      .when(retryJob(jobId))
      .thenRejects({ code: "WE-JOB-001" }));
});

describe("DeleteJob", () => {
  const deleted: JobEvent = { type: "JobDeleted", data: {} };
  it("cancels an active job first", () =>
    given(...runningA)
      .when(deleteJob)
      .thenEmits({ type: "JobCancelled", data: { reason: "deleted" } }, deleted));
  it.each([
    ["completed", completedJob],
    ["failed", failedJob],
    ["cancelled", cancelledJob],
  ])("deletes a %s job", (_, history) =>
    given(...history)
      .when(deleteJob)
      .thenEmits(deleted),
  );
});

describe("a split plan (chunks, audio, stitch)", () => {
  const chunkTask = (
    taskId: string,
    index: number,
    startTimeSec: number,
    endTimeSec: number,
  ): PlannedTask => ({
    taskId,
    sequenceIndex: index,
    startTimeSec,
    endTimeSec,
    kind: "video",
    chunk: {
      seekSec: startTimeSec,
      firstFrame: startTimeSec * 30,
      frameCount: null,
      gridStartSec: startTimeSec,
      durationSec: endTimeSec - startTimeSec,
    },
  });
  const taskC = "9f3a4b5c-6d7e-4f8a-9b0c-1d2e3f4a5b6c";
  const taskAudio = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e";
  const taskStitch = "3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f";
  const chunks = [chunkTask(taskA, 0, 0, 6), chunkTask(taskB, 1, 6, 14), chunkTask(taskC, 2, 14, 20)];
  const audio: PlannedTask = {
    taskId: taskAudio,
    sequenceIndex: 3,
    startTimeSec: 0,
    endTimeSec: 20,
    kind: "audio",
  };
  const stitchTask: PlannedTask = {
    taskId: taskStitch,
    sequenceIndex: 4,
    startTimeSec: 0,
    endTimeSec: 20,
    kind: "stitch",
    stitch: {
      frameRate: "30/1",
      frameCount: 600,
      durationSec: 20,
      videoStartSec: 0,
      width: 1280,
      height: 720,
    },
  };
  const splitPlan = [...chunks, audio, stitchTask];
  const report = {
    frameCount: 600,
    meanSsim: 0.99,
    seams: [
      { index: 1, timeSec: 6, ssim: 0.989, delta: -0.001 },
      { index: 2, timeSec: 14, ssim: 0.99, delta: 0 },
    ],
  };
  const plannedSplit = [
    ...queued,
    planned(splitPlan),
    scheduled(taskB, 1),
    scheduled(taskA, 1),
    scheduled(taskC, 1),
    scheduledFirst("audio", taskAudio),
  ];
  const runAndComplete = (taskId: string, worker: string) => [started(taskId, 1, worker), completed(taskId)];
  const allButAudio = [
    ...plannedSplit,
    ...runAndComplete(taskA, "worker-a"),
    ...runAndComplete(taskB, "worker-b"),
    ...runAndComplete(taskC, "worker-a"),
    started(taskAudio, 1, "worker-b"),
  ];

  it("schedules the chunks longest first, then the audio, and holds the stitch back", () =>
    given(...queued)
      .when({ type: "PlanJob", data: { tasks: splitPlan } })
      .thenEmits(
        planned(splitPlan),
        scheduled(taskB, 1),
        scheduled(taskA, 1),
        scheduled(taskC, 1),
        scheduledFirst("audio", taskAudio),
      ));

  it("schedules the stitch once the last chunk or the audio completes", () =>
    given(...allButAudio)
      .when({ type: "CompleteTask", data: result(taskAudio) })
      .thenEmits(completed(taskAudio), stitching, scheduledFirst("stitch", taskStitch)));

  it("does not stitch while a chunk is still running", () =>
    given(...plannedSplit, started(taskA), started(taskAudio, 1, "worker-b"))
      .when({ type: "CompleteTask", data: result(taskAudio) })
      .thenEmits(completed(taskAudio)));

  it("completes the stitch with its proof and starts the upload", () =>
    given(
      ...allButAudio,
      completed(taskAudio),
      stitching,
      scheduledFirst("stitch", taskStitch),
      started(taskStitch),
    )
      .when({ type: "CompleteTask", data: { ...result(taskStitch), stitch: report } })
      .thenEmits({ type: "TaskCompleted", data: { ...result(taskStitch), stitch: report } }, uploading));

  it("completes a chunk with its share of the seam figures, which the job keeps for the stitch", () => {
    const edgeSsim = {
      first: null,
      last: { ssim: 0.981, frames: 12 },
      samples: { ssim: 0.99, frames: 18 },
      measureMs: 812,
    };
    const completedWithEdges: JobEvent = { type: "TaskCompleted", data: { ...result(taskA), edgeSsim } };
    given(...plannedSplit, started(taskA))
      .when({ type: "CompleteTask", data: { ...result(taskA), edgeSsim } })
      .thenEmits(completedWithEdges);
    const job = foldJob([...plannedSplit, started(taskA), completedWithEdges]);
    if (job.status === "initial") throw new Error("no job");
    expect(job.tasks.find((task) => task.taskId === taskA)?.edgeSsim).toEqual(edgeSsim);
    expect(job.tasks.find((task) => task.taskId === taskB)?.edgeSsim).toBeNull();
  });

  it("refuses a stitch completed without its proof, and a chunk that claims one", () => {
    given(
      ...allButAudio,
      completed(taskAudio),
      stitching,
      scheduledFirst("stitch", taskStitch),
      started(taskStitch),
    )
      .when({ type: "CompleteTask", data: result(taskStitch) })
      .thenRejects({ code: "WE-JOB-001" });
    given(...plannedSplit, started(taskA))
      .when({ type: "CompleteTask", data: { ...result(taskA), stitch: report } })
      .thenRejects({ code: "WE-JOB-001" });
  });

  it("fails the job with the stitch's own code when its proof fails, without a retry", () =>
    given(
      ...allButAudio,
      completed(taskAudio),
      stitching,
      scheduledFirst("stitch", taskStitch),
      started(taskStitch),
    )
      .when({
        type: "FailTask",
        data: { ...failure(taskStitch, 1, "input"), now, code: "WE-JOB-012" },
      })
      .thenEmits(
        { type: "TaskFailed", data: failure(taskStitch, 1, "input") },
        {
          type: "JobFailed",
          data: {
            code: "WE-JOB-012",
            message: "Task 4 failed (input, not retried): ffmpeg exited with code 1",
          },
        },
      ));

  it("refuses split plans that could not be stitched", () => {
    const refused = (tasks: PlannedTask[]) =>
      given(...queued)
        .when({ type: "PlanJob", data: { tasks } })
        .thenRejects({ code: "WE-JOB-001" });
    refused([...chunks, audio]); // no stitch
    refused([...chunks, { ...stitchTask, sequenceIndex: 3 }, { ...audio, sequenceIndex: 4 }]); // stitch not last
    refused([chunks[0]!, { ...audio, sequenceIndex: 1 }, { ...stitchTask, sequenceIndex: 2 }]); // one chunk
    refused([...chunks, audio, { ...stitchTask, stitch: undefined }]); // no target
    const { chunk: _, ...untimed } = chunks[1]!;
    refused([chunks[0]!, untimed, chunks[2]!, audio, stitchTask]); // a chunk without its timing
  });
});

describe("a ladder plan (renditions, audio, thumbnails, package)", () => {
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const [v1080, v720a, v720b, aud, thumbs, st720, pkg] = [1, 2, 3, 4, 5, 6, 7].map(id) as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const target = {
    frameRate: "30/1",
    frameCount: 600,
    durationSec: 20,
    videoStartSec: 0,
    width: 1280,
    height: 720,
  };
  const timing = (start: number, end: number) => ({
    seekSec: start,
    firstFrame: start * 30,
    frameCount: end === 20 ? null : (end - start) * 30,
    gridStartSec: start,
    durationSec: end - start,
  });
  const ladder: PlannedTask[] = [
    {
      taskId: v1080,
      sequenceIndex: 0,
      startTimeSec: 0,
      endTimeSec: 20,
      kind: "video",
      rendition: "1080p",
      dependsOn: [],
    },
    {
      taskId: v720a,
      sequenceIndex: 1,
      startTimeSec: 0,
      endTimeSec: 8,
      kind: "video",
      rendition: "720p",
      chunk: timing(0, 8),
      dependsOn: [],
    },
    {
      taskId: v720b,
      sequenceIndex: 2,
      startTimeSec: 8,
      endTimeSec: 20,
      kind: "video",
      rendition: "720p",
      chunk: timing(8, 20),
      dependsOn: [],
    },
    { taskId: aud, sequenceIndex: 3, startTimeSec: 0, endTimeSec: 20, kind: "audio", dependsOn: [] },
    { taskId: thumbs, sequenceIndex: 4, startTimeSec: 0, endTimeSec: 20, kind: "thumbnails", dependsOn: [] },
    {
      taskId: st720,
      sequenceIndex: 5,
      startTimeSec: 0,
      endTimeSec: 20,
      kind: "stitch",
      rendition: "720p",
      stitch: target,
      dependsOn: [v720a, v720b],
    },
    {
      taskId: pkg,
      sequenceIndex: 6,
      startTimeSec: 0,
      endTimeSec: 20,
      kind: "package",
      dependsOn: [v1080, st720, aud, thumbs],
    },
  ];
  const report = { frameCount: 600, meanSsim: 0.99, seams: [{ index: 1, timeSec: 8, ssim: 0.99, delta: 0 }] };
  const plannedLadder = [
    ...queued,
    planned(ladder),
    scheduled(v1080, 1),
    scheduled(v720b, 1),
    scheduled(v720a, 1),
    scheduledFirst("audio", aud),
    scheduledFirst("thumbnails", thumbs),
  ];
  const done = (taskId: string) => [started(taskId), completed(taskId)];

  it("schedules every task that waits on nothing, the longest video first, and holds the joins back", () =>
    given(...queued)
      .when({ type: "PlanJob", data: { tasks: ladder } })
      .thenEmits(
        planned(ladder),
        scheduled(v1080, 1),
        scheduled(v720b, 1),
        scheduled(v720a, 1),
        scheduledFirst("audio", aud),
        scheduledFirst("thumbnails", thumbs),
      ));

  it("schedules a rendition's stitch when its own chunks are done, whatever the other renditions do", () =>
    given(...plannedLadder, ...done(v720a), started(v720b))
      .when({ type: "CompleteTask", data: result(v720b) })
      .thenEmits(completed(v720b), stitching, scheduledFirst("stitch", st720)));

  it("schedules the package only when everything it packages is done, then uploads after it", () => {
    const beforeLast = [
      ...plannedLadder,
      ...done(v720a),
      ...done(v720b),
      stitching,
      scheduledFirst("stitch", st720),
    ];
    given(...beforeLast, ...done(aud), ...done(thumbs), ...done(v1080), started(st720))
      .when({ type: "CompleteTask", data: { ...result(st720), stitch: report } })
      .thenEmits(
        { type: "TaskCompleted", data: { ...result(st720), stitch: report } },
        scheduledFirst("package", pkg),
      );
    given(...beforeLast, ...done(aud), ...done(thumbs), started(st720))
      .when({ type: "CompleteTask", data: { ...result(st720), stitch: report } })
      .thenEmits({ type: "TaskCompleted", data: { ...result(st720), stitch: report } });
    given(
      ...beforeLast,
      ...done(aud),
      ...done(thumbs),
      ...done(v1080),
      started(st720),
      { type: "TaskCompleted", data: { ...result(st720), stitch: report } },
      scheduledFirst("package", pkg),
      started(pkg),
    )
      .when({ type: "CompleteTask", data: result(pkg) })
      .thenEmits(completed(pkg), uploading);
  });

  it("refuses graphs that name later or unknown tasks, a package not last, a stitch without its parts", () => {
    const refused = (tasks: PlannedTask[]) =>
      given(...queued)
        .when({ type: "PlanJob", data: { tasks } })
        .thenRejects({ code: "WE-JOB-001" });
    refused(ladder.map((task) => (task.taskId === v1080 ? { ...task, dependsOn: [pkg] } : task)));
    refused(ladder.map((task) => (task.taskId === aud ? { ...task, dependsOn: [id(99)] } : task)));
    refused(ladder.map((task) => (task.taskId === st720 ? { ...task, dependsOn: [] } : task)));
    refused([
      ...ladder.slice(0, 5),
      { ...ladder[6]!, sequenceIndex: 5, dependsOn: [v1080] },
      { ...ladder[5]!, sequenceIndex: 6 },
    ]);
  });
});
