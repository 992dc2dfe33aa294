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
});
