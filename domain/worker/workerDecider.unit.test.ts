import { describe, it } from "vitest";
import type { WorkerEvent } from "../../schemas/events/workerEvents.ts";
import { workerEventSchema } from "../../schemas/events/workerEvents.ts";
import { DeciderSpecification } from "../../test/support/deciderSpecification.ts";
import { workerDecider } from "./workerDecider.ts";

const workerId = "encoder-1-3f2a9c1d";
const spec = DeciderSpecification.for(workerDecider, workerEventSchema);

const started: WorkerEvent = {
  type: "WorkerStarted",
  data: {
    workerId,
    hostname: "encoder-1",
    pid: 4242,
    capabilities: {
      encoders: [{ name: "libx264", codec: "h264", hardware: false }],
      hwaccels: [],
      audioCodecs: ["aac"],
      containers: ["mp4"],
      cpuCores: 8,
      memoryBytes: 16 * 1024 ** 3,
      gpus: [],
      maxParallelTasks: 1,
      version: "0.1.0",
    },
  },
};
const drained: WorkerEvent = { type: "WorkerDrained", data: { workerId } };
const stopped: WorkerEvent = { type: "WorkerStopped", data: { workerId, reason: "stopped" } };
const lost: WorkerEvent = {
  type: "WorkerLost",
  data: { workerId, lastHeartbeatAt: "2026-12-02T10:00:00.000Z", missedHeartbeats: 3 },
};

describe("worker decider", () => {
  it("drains an online worker once; a repeat decides nothing new", () => {
    spec.given(started).when({ type: "DrainWorker", data: { workerId } }).thenEmits(drained);
    spec.given(started, drained).when({ type: "DrainWorker", data: { workerId } }).thenEmits();
  });

  it("undrains a draining worker, and only that", () => {
    spec
      .given(started, drained)
      .when({ type: "UndrainWorker", data: { workerId } })
      .thenEmits({ type: "WorkerUndrained", data: { workerId } });
    spec.given(started).when({ type: "UndrainWorker", data: { workerId } }).thenEmits();
  });

  it("refuses to drain a worker that is unknown (WE-WRK-001) or no longer runs (WE-WRK-003)", () => {
    spec.given().when({ type: "DrainWorker", data: { workerId } }).thenRejects({ code: "WE-WRK-001" });
    spec
      .given(started, stopped)
      .when({ type: "DrainWorker", data: { workerId } })
      .thenRejects({ code: "WE-WRK-003" });
    spec
      .given(started, lost)
      .when({ type: "UndrainWorker", data: { workerId } })
      .thenRejects({ code: "WE-WRK-003", reason: "WorkerOffline" });
  });

  it("marks an online worker lost once; a stopped or already lost one is left as it is", () => {
    spec.given(started, drained).when({ type: "MarkWorkerLost", data: lost.data }).thenEmits(lost);
    spec.given(started, lost).when({ type: "MarkWorkerLost", data: lost.data }).thenEmits();
    spec.given(started, stopped).when({ type: "MarkWorkerLost", data: lost.data }).thenEmits();
  });

  it("removes a worker that no longer runs, never an online one (WE-WRK-002), and then knows it no more", () => {
    spec
      .given(started)
      .when({ type: "RemoveWorker", data: { workerId } })
      .thenRejects({ code: "WE-WRK-002", reason: "WorkerOnline" });
    const removed: WorkerEvent = { type: "WorkerRemoved", data: { workerId } };
    spec.given(started, stopped).when({ type: "RemoveWorker", data: { workerId } }).thenEmits(removed);
    spec.given(started, lost).when({ type: "RemoveWorker", data: { workerId } }).thenEmits(removed);
    spec
      .given(started, lost, removed)
      .when({ type: "RemoveWorker", data: { workerId } })
      .thenRejects({ code: "WE-WRK-001" });
  });

  it("takes a run again when the same id starts anew", () => {
    spec
      .given(started, drained, stopped, started)
      .when({ type: "DrainWorker", data: { workerId } })
      .thenEmits(drained);
  });

  describe("quarantine", () => {
    const jobId = "0b7a1c52-9d7e-4c1a-8a3e-2f1d6c5b4a01";
    const taskIds = [
      "5f0c6a1e-3b2d-4e8f-9a7c-1d2e3f4a5b61",
      "5f0c6a1e-3b2d-4e8f-9a7c-1d2e3f4a5b62",
      "5f0c6a1e-3b2d-4e8f-9a7c-1d2e3f4a5b63",
      "5f0c6a1e-3b2d-4e8f-9a7c-1d2e3f4a5b64",
    ] as const;
    const at = (minute: number) => new Date(Date.UTC(2026, 11, 2, 10, minute)).toISOString();
    type FaultClass = "transient" | "oom" | "timeout" | "stalled" | "input" | "cancelled";
    const failure = (n: number, exitClass: FaultClass = "transient", minute = n) => ({
      workerId,
      jobId,
      taskId: taskIds[n]!,
      attempt: 1,
      exitClass,
      failedAt: at(minute),
    });
    const recordFailure = (n: number, exitClass: FaultClass = "transient", minute = n) =>
      ({ type: "RecordAttemptFailure", data: failure(n, exitClass, minute) }) as const;
    const failed = (
      n: number,
      exitClass: "transient" | "oom" | "timeout" | "stalled" = "transient",
      minute = n,
    ) => ({ type: "WorkerAttemptFailed", data: failure(n, exitClass, minute) }) as WorkerEvent;
    const quarantined: WorkerEvent = {
      type: "WorkerQuarantined",
      data: {
        workerId,
        exitClass: "transient",
        failures: 3,
        reason: `3 task attempts failed in a row (transient) within 30 min; the last: job ${jobId}, attempt 1`,
      },
    };
    const success = { workerId, jobId, taskId: taskIds[3], attempt: 1 };

    it("quarantines a worker whose third attempt in a row fails with the same class", () => {
      spec.given(started).when(recordFailure(0)).thenEmits(failed(0));
      spec.given(started, failed(0)).when(recordFailure(1)).thenEmits(failed(1));
      spec.given(started, failed(0), failed(1)).when(recordFailure(2)).thenEmits(failed(2), quarantined);
    });

    it("counts a repeated record once, and does not quarantine twice", () => {
      spec.given(started, failed(0), failed(1)).when(recordFailure(1)).thenEmits();
      spec
        .given(started, failed(0), failed(1), failed(2), quarantined)
        .when(recordFailure(3))
        .thenEmits(failed(3));
    });

    it("does not count a corrupt input or a cancel against the worker, nor let them break the run", () => {
      spec.given(started, failed(0), failed(1)).when(recordFailure(2, "input")).thenEmits();
      spec.given(started, failed(0), failed(1)).when(recordFailure(2, "cancelled")).thenEmits();
      spec.given(started, failed(0), failed(1)).when(recordFailure(3)).thenEmits(failed(3), quarantined);
    });

    it("starts the count again after a success, after a failure of another class, and outside the window", () => {
      const recovered: WorkerEvent = { type: "WorkerRecovered", data: success };
      spec
        .given(started, failed(0), failed(1))
        .when({ type: "RecordAttemptSuccess", data: success })
        .thenEmits(recovered);
      spec.given(started, failed(0), failed(1), recovered).when(recordFailure(2)).thenEmits(failed(2));
      // a success with no failures before it records nothing
      spec.given(started).when({ type: "RecordAttemptSuccess", data: success }).thenEmits();
      spec.given(started, failed(0, "oom"), failed(1)).when(recordFailure(2)).thenEmits(failed(2));
      // the first failure is more than 30 minutes before the third
      spec
        .given(started, failed(0, "transient", 0), failed(1, "transient", 20))
        .when(recordFailure(2, "transient", 31))
        .thenEmits(failed(2, "transient", 31));
    });

    it("records nothing for a worker that no longer runs, and refuses an unknown one (WE-WRK-001)", () => {
      spec.given(started, failed(0), failed(1), lost).when(recordFailure(2)).thenEmits();
      spec.given().when(recordFailure(0)).thenRejects({ code: "WE-WRK-001" });
    });

    it("lets an admin lift a quarantine, which forgives the failures before it", () => {
      const lifted: WorkerEvent = { type: "WorkerUnquarantined", data: { workerId } };
      const quarantinedRun = [started, failed(0), failed(1), failed(2), quarantined];
      spec
        .given(...quarantinedRun)
        .when({ type: "UnquarantineWorker", data: { workerId } })
        .thenEmits(lifted);
      spec
        .given(...quarantinedRun, lifted)
        .when({ type: "UnquarantineWorker", data: { workerId } })
        .thenEmits();
      spec
        .given(...quarantinedRun, lifted)
        .when(recordFailure(3))
        .thenEmits(failed(3));
      spec
        .given(...quarantinedRun, lost)
        .when({ type: "UnquarantineWorker", data: { workerId } })
        .thenRejects({ code: "WE-WRK-003" });
    });

    it("forgets the quarantine of an earlier run when the same id starts anew", () => {
      spec
        .given(started, failed(0), failed(1), failed(2), quarantined, stopped, started)
        .when(recordFailure(3))
        .thenEmits(failed(3));
    });
  });
});
