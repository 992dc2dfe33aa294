import { describe, expect, it } from "vitest";
import { type JobEvent, jobEventSchema, jobEventTypes } from "./jobEvents.ts";

const jobId = "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11";
const taskId = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
const checksum = `sha256:${"ab".repeat(32)}`;

const examples: JobEvent[] = [
  {
    type: "JobSubmitted",
    data: {
      jobId,
      userId: "u-alice",
      sourceType: "upload",
      sourceUrl: "fs://uploads/a.mp4",
      profileId: "720p_h264",
      outputConfig: {},
    },
  },
  {
    type: "JobSourceProbed",
    data: {
      durationSec: 12.5,
      format: "mov,mp4,m4a,3gp,3g2,mj2",
      sizeBytes: 1_000_000,
      video: { codec: "h264", width: 1280, height: 720, fps: 30, rotation: 0, vfr: false, pixFmt: "yuv420p" },
      audio: null,
    },
  },
  {
    type: "JobPlanned",
    data: { tasks: [{ taskId, sequenceIndex: 0, startTimeSec: 0, endTimeSec: 12.5 }], maxAttempts: 3 },
  },
  { type: "TaskScheduled", data: { taskId, attempt: 1 } },
  { type: "TaskStarted", data: { taskId, attempt: 1, workerId: "worker-a" } },
  { type: "TaskProgressed", data: { taskId, attempt: 1, milestonePct: 50 } },
  {
    type: "TaskCompleted",
    data: { taskId, attempt: 1, outputKey: "k", sizeBytes: 10, checksum, durationSec: 12.5 },
  },
  {
    type: "TaskFailed",
    data: { taskId, attempt: 1, exitClass: "oom", message: "killed", stderrTail: "" },
  },
  {
    type: "TaskRetryScheduled",
    data: { taskId, nextAttempt: 2, notBefore: "2026-11-01T08:00:05.000Z", delayMs: 5000 },
  },
  { type: "JobStitchingStarted", data: {} },
  { type: "JobUploadingStarted", data: {} },
  {
    type: "JobCompleted",
    data: {
      outputs: [
        {
          name: "a_final.mp4",
          type: "final",
          key: "jobs/a/final.mp4",
          sizeBytes: 10,
          checksum,
          profile: "p",
        },
      ],
    },
  },
  { type: "JobFailed", data: { code: "WE-JOB-008", message: "boom" } },
  { type: "JobCancelled", data: { reason: "user" } },
  { type: "JobRetried", data: { newJobId: taskId } },
  { type: "JobDeleted", data: {} },
];

describe("jobEventSchema", () => {
  it("has one example per event type here, and each parses", () => {
    expect(examples.map((example) => example.type)).toEqual(jobEventTypes);
    for (const example of examples) expect(jobEventSchema.parse(example)).toEqual(example);
  });

  it("keeps a job's prefer_gpu, and reads jobs submitted before it existed as leaving it to the profile", () => {
    const submitted = examples[0] as Extract<JobEvent, { type: "JobSubmitted" }>;
    const preferring = { ...submitted, data: { ...submitted.data, preferGpu: true } };
    expect(jobEventSchema.parse(preferring)).toEqual(preferring);
    const old = jobEventSchema.parse(submitted);
    expect(old.type === "JobSubmitted" && old.data.preferGpu).toBeUndefined();
    expect(
      jobEventSchema.safeParse({ ...submitted, data: { ...submitted.data, preferGpu: "yes" } }).success,
    ).toBe(false);
  });

  it.each([
    ["an unknown field", { type: "JobDeleted", data: { by: "x" } }],
    [
      "a progress that is not a milestone",
      { type: "TaskProgressed", data: { taskId, attempt: 1, milestonePct: 100 } },
    ],
    ["attempt 0", { type: "TaskStarted", data: { taskId, attempt: 0, workerId: "w" } }],
    ["a task id that is no uuid", { type: "TaskScheduled", data: { taskId: "t1", attempt: 1 } }],
    [
      "a checksum without its algorithm",
      {
        type: "TaskCompleted",
        data: { taskId, attempt: 1, outputKey: "k", sizeBytes: 1, checksum: "abc", durationSec: 1 },
      },
    ],
    [
      "an unknown exit class",
      { type: "TaskFailed", data: { taskId, attempt: 1, exitClass: "bad", message: "", stderrTail: "" } },
    ],
    ["an unknown error code", { type: "JobFailed", data: { code: "WE-JOB-999", message: "" } }],
    [
      "a task that ends before it starts",
      {
        type: "JobPlanned",
        data: { tasks: [{ taskId, sequenceIndex: 0, startTimeSec: 5, endTimeSec: 5 }], maxAttempts: 3 },
      },
    ],
    ["a plan without tasks", { type: "JobPlanned", data: { tasks: [], maxAttempts: 3 } }],
    [
      "a retry time that is no timestamp",
      { type: "TaskRetryScheduled", data: { taskId, nextAttempt: 2, notBefore: "soon", delayMs: 1 } },
    ],
    [
      "a fractional byte count",
      {
        type: "JobSourceProbed",
        data: { durationSec: 1, format: "mp4", sizeBytes: 1.5, video: null, audio: null },
      },
    ],
  ])("refuses %s", (_, event) => {
    expect(jobEventSchema.safeParse(event).success).toBe(false);
  });
});
