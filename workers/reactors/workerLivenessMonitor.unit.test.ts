import { describe, expect, it } from "vitest";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { sendHeartbeats } from "../encode/sendHeartbeats.ts";
import { type HeldAttempt, startWorkerLivenessMonitor } from "./workerLivenessMonitor.ts";

function harness() {
  let clock = Date.parse("2026-12-02T10:00:00.000Z");
  const now = () => new Date(clock);
  const bus = createMemoryProgressBus();
  const online = new Map<string, Date>();
  const held = new Map<string, HeldAttempt[]>();
  const lost: Array<{ workerId: string; lastHeartbeatAt: string; missed: number }> = [];
  const failed: Array<{ attempt: HeldAttempt; message: string }> = [];
  const monitor = startWorkerLivenessMonitor({
    bus,
    onlineWorkers: async () => [...online].map(([workerId, startedAt]) => ({ workerId, startedAt })),
    heldAttempts: async (workerId) => held.get(workerId) ?? [],
    async markLost(workerId, lastHeartbeatAt, missed) {
      lost.push({ workerId, lastHeartbeatAt: lastHeartbeatAt.toISOString(), missed });
      online.delete(workerId);
    },
    async failAttempt(attempt, message) {
      failed.push({ attempt, message });
    },
    intervalMs: 5_000,
    missedHeartbeats: 3,
    now,
  });
  return {
    bus,
    monitor,
    online,
    held,
    lost,
    failed,
    now,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe("worker liveness monitor", () => {
  it("leaves a worker that keeps sending heartbeats alone, however long it runs", async () => {
    const h = harness();
    try {
      h.online.set("w1", h.now());
      for (let i = 0; i < 20; i++) {
        h.advance(5_000);
        h.bus.publishHeartbeat({
          workerId: "w1",
          at: h.now().toISOString(),
          runningTasks: 1,
          draining: false,
        });
        expect(await h.monitor.check()).toEqual([]);
      }
      expect(h.monitor.lastHeartbeat("w1")).toEqual(h.now());
      expect(h.lost).toEqual([]);
    } finally {
      await h.monitor.stop();
    }
  });

  it("marks a worker lost after three missed heartbeats and fails the attempts it held, once", async () => {
    const h = harness();
    try {
      h.online.set("w1", h.now());
      h.held.set("w1", [{ jobId: "j1", taskId: "t1", attempt: 2 }]);
      h.advance(5_000);
      h.bus.publishHeartbeat({ workerId: "w1", at: h.now().toISOString(), runningTasks: 1, draining: false });
      const lastBeat = h.now().toISOString();
      h.advance(15_000);
      expect(await h.monitor.check()).toEqual([]); // 15 s: three intervals, not more
      h.advance(1_000);
      expect(await h.monitor.check()).toEqual(["w1"]);
      expect(h.lost).toEqual([{ workerId: "w1", lastHeartbeatAt: lastBeat, missed: 3 }]);
      expect(h.failed).toEqual([
        {
          attempt: { jobId: "j1", taskId: "t1", attempt: 2 },
          message: "worker w1 lost: no heartbeat for 16 s; the task goes to another worker",
        },
      ]);
      h.advance(30_000);
      expect(await h.monitor.check()).toEqual([]); // no longer online: nothing more to do
    } finally {
      await h.monitor.stop();
    }
  });

  it("gives every worker the whole grace after the kernel starts, whatever it heard before", async () => {
    const h = harness();
    try {
      // started long before this kernel: not lost until this kernel has waited three intervals itself
      h.online.set("w1", new Date(h.now().getTime() - 3_600_000));
      h.advance(14_000);
      expect(await h.monitor.check()).toEqual([]);
      h.advance(2_000);
      expect(await h.monitor.check()).toEqual(["w1"]);
    } finally {
      await h.monitor.stop();
    }
  });

  it("hears a worker's own heartbeat sender", async () => {
    const h = harness();
    const sender = sendHeartbeats(h.bus, () => ({ workerId: "w2", runningTasks: 0, draining: true }), h.now);
    try {
      expect(h.monitor.lastHeartbeat("w2")).toEqual(h.now());
    } finally {
      sender.stop();
      await h.monitor.stop();
    }
  });
});
