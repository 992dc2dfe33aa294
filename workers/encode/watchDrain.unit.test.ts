import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { workerStream } from "../../schemas/events/streamNames.ts";
import { watchDrain } from "./watchDrain.ts";

const order = (
  workerId: string,
  type: "WorkerDrained" | "WorkerUndrained" | "WorkerQuarantined" | "WorkerUnquarantined",
) => ({
  id: randomUUID(),
  type,
  data:
    type === "WorkerQuarantined"
      ? { workerId, exitClass: "transient", failures: 3, reason: "3 task attempts failed in a row" }
      : { workerId },
  metadata: {
    correlationId: "c",
    causationId: "c",
    actor: { userId: "admin", role: "admin" },
    occurredAt: new Date().toISOString(),
    schemaVersion: 1,
  },
});

describe("watchDrain", () => {
  it("knows a drain ordered before the worker looked, follows later orders, and wakes a waiter on undrain", async () => {
    const store = createMemoryEventStore();
    await store.append(workerStream.name("w1"), [order("w1", "WorkerDrained")], { expected: "any" });
    // another worker whose id starts with this one's is not this one
    await store.append(workerStream.name("w10"), [order("w10", "WorkerUndrained")], { expected: "any" });
    const watch = await watchDrain(store, "w1");
    try {
      expect(watch.draining()).toBe(true);
      expect(watch.drainedSignal().aborted).toBe(true);
      let woken = false;
      const waiting = watch.untilUndrained(new AbortController().signal).then(() => {
        woken = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(woken).toBe(false);
      await store.append(workerStream.name("w1"), [order("w1", "WorkerUndrained")], { expected: "any" });
      await waiting;
      expect(watch.draining()).toBe(false);
      const taking = watch.drainedSignal();
      expect(taking.aborted).toBe(false);
      await store.append(workerStream.name("w1"), [order("w1", "WorkerDrained")], { expected: "any" });
      await expect.poll(() => watch.draining()).toBe(true);
      expect(taking.aborted).toBe(true);
      // a stopping worker does not wait for an undrain
      const stop = new AbortController();
      const stopped = watch.untilUndrained(stop.signal);
      stop.abort();
      await stopped;
    } finally {
      await watch.close();
    }
  });

  it("takes no new work while quarantined, whether drained or not, until the quarantine is lifted", async () => {
    const store = createMemoryEventStore();
    const append = (type: Parameters<typeof order>[1]) =>
      store.append(workerStream.name("w1"), [order("w1", type)], { expected: "any" });
    const watch = await watchDrain(store, "w1");
    try {
      expect(watch.draining()).toBe(false);
      const taking = watch.drainedSignal();
      await append("WorkerQuarantined");
      await expect.poll(() => watch.draining()).toBe(true);
      expect(taking.aborted).toBe(true);
      // an undrain does not lift a quarantine
      await append("WorkerDrained");
      await append("WorkerUndrained");
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(watch.draining()).toBe(true);
      let woken = false;
      const waiting = watch.untilUndrained(new AbortController().signal).then(() => {
        woken = true;
      });
      // lifting the quarantine of a drained worker leaves it drained
      await append("WorkerDrained");
      await append("WorkerUnquarantined");
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(woken).toBe(false);
      await append("WorkerUndrained");
      await waiting;
      expect(watch.draining()).toBe(false);
    } finally {
      await watch.close();
    }
  });
});
