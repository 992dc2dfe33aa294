import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { parseErrorEvent } from "../../schemas/events/errorEvents.ts";
import { createMemoryEventStore } from "../eventstore/memory/memoryEventStore.ts";
import { createErrorReporter } from "./createErrorReporter.ts";
import { reportingLog } from "./reportingLog.ts";

async function reportedEvents(store: EventStore) {
  const all = await store.readAll({ maxCount: 10_000 });
  return all.map((recorded) => {
    const parsed = parseErrorEvent(recorded);
    if (parsed._tag !== "Parsed" || parsed.event.type !== "ErrorReported") throw new Error(parsed._tag);
    return { data: parsed.event.data, actor: parsed.metadata.actor };
  });
}

describe("error reporter", () => {
  it("reports error lines of the log as the kernel's, with the error's stack, and passes every line on", async () => {
    const store = createMemoryEventStore();
    const lines: string[] = [];
    const reporter = createErrorReporter({
      store,
      newId: randomUUID,
      now: () => new Date(),
      source: "kernel",
      fallback: (line) => lines.push(`fallback ${line}`),
    });
    const log = reportingLog((line) => lines.push(line), reporter);
    log("job planner: planned job 1");
    log("warn: scratch not removed");
    log("error: reactor dispatcher: parked event at 12", new Error("queue closed"));
    log("critical: storage-s3 unreachable");
    expect(lines).toEqual([
      "job planner: planned job 1",
      "warn: scratch not removed",
      "error: reactor dispatcher: parked event at 12",
      "critical: storage-s3 unreachable",
    ]);
    await reporter.flush();
    const reported = await reportedEvents(store);
    expect(reported.map((r) => [r.data.sourceComponent, r.data.severity, r.data.message])).toEqual([
      ["kernel", "error", "reactor dispatcher: parked event at 12"],
      ["kernel", "critical", "storage-s3 unreachable"],
    ]);
    expect(reported[0]!.data.stackTrace).toContain("Error: queue closed");
    expect(reported[0]!.data.contextData).toMatchObject({ pid: process.pid });
    expect(reported[0]!.actor).toEqual({ userId: "system", role: "system" });
  });

  it("reports a failure repeated in a hot loop once per window, then once more with how often it was seen", async () => {
    const store = createMemoryEventStore();
    let clock = 0;
    const reporter = createErrorReporter({
      store,
      newId: randomUUID,
      now: () => new Date(),
      source: "worker",
      fallback: () => {},
      dedupeWindowMs: 60_000,
      clock: () => clock,
    });
    for (let i = 0; i < 10_000; i++)
      reporter.report("error", `job ${randomUUID()} task ${i}: ffmpeg exited 1`);
    await reporter.flush();
    expect(await reportedEvents(store)).toHaveLength(1);
    clock = 61_000;
    reporter.report("error", `job ${randomUUID()} task 5: ffmpeg exited 1`);
    await reporter.flush();
    const reported = await reportedEvents(store);
    expect(reported).toHaveLength(2);
    expect(reported[1]!.data.contextData).toMatchObject({ repeated_since_last_report: 9_999 });
    expect(reported[1]!.data.sourceComponent).toBe("worker");
  });

  it("holds distinct failures to its rate limit and says how many it dropped", async () => {
    const store = createMemoryEventStore();
    let clock = 0;
    const reporter = createErrorReporter({
      store,
      newId: randomUUID,
      now: () => new Date(),
      source: "kernel",
      fallback: () => {},
      limit: { perSecond: 1, burst: 5 },
      clock: () => clock,
    });
    const distinct = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
    for (const word of distinct) reporter.report("error", `${word} failed`);
    await reporter.flush();
    expect((await reportedEvents(store)).map((r) => r.data.message)).toEqual(
      distinct.slice(0, 5).map((w) => `${w} failed`),
    );
    clock = 1_000;
    reporter.report("fatal", "iota failed");
    await reporter.flush();
    const last = (await reportedEvents(store)).at(-1)!;
    expect(last.data).toMatchObject({ message: "iota failed", severity: "fatal" });
    expect(last.data.contextData).toMatchObject({ dropped_before: 3 });
  });

  it("returns at once, and tells a report it cannot store to the plain log only, never back to itself", async () => {
    const failing = createMemoryEventStore();
    let appends = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const store: EventStore = {
      ...failing,
      async append() {
        appends++;
        await gate;
        throw new Error("event store unreachable");
      },
    };
    const plain: string[] = [];
    const reporter = createErrorReporter({
      store,
      newId: randomUUID,
      now: () => new Date(),
      source: "kernel",
      fallback: (line) => plain.push(line),
    });
    const log = reportingLog((line) => plain.push(line), reporter);
    const started = performance.now();
    log("error: first failure");
    log("error: second failure");
    // the appends are still waiting: logging did not
    expect(performance.now() - started).toBeLessThan(50);
    expect(plain).toEqual(["error: first failure", "error: second failure"]);
    release();
    await reporter.flush();
    expect(appends).toBe(2);
    expect(plain).toEqual([
      "error: first failure",
      "error: second failure",
      "error report not stored: event store unreachable",
      "error report not stored: event store unreachable",
    ]);
  });
});

describe("error reporter, about a plugin", () => {
  it("reports under the plugin's name, and under its own with the name in the context when it is no valid source", async () => {
    const store = createMemoryEventStore();
    const reporter = createErrorReporter({
      store,
      newId: randomUUID,
      now: () => new Date(),
      source: "kernel",
      fallback: () => {},
    });
    reporter.report("critical", "WE-PLG-007 too new", undefined, "plugin:live-future");
    reporter.report("critical", "WE-PLG-006 broken", undefined, "plugin:Bad Name");
    await reporter.flush();
    const reported = await reportedEvents(store);
    expect(reported.map((r) => r.data.sourceComponent)).toEqual(["plugin:live-future", "kernel"]);
    expect(reported[1]!.data.contextData).toMatchObject({ about: "plugin:Bad Name" });
  });
});
