import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ProgressTick } from "../../domain/ports/progressBus.ts";
import { progressTick } from "../../infra/progress/progressBusContract.ts";
import { createProgressThrottle } from "./progressThrottle.ts";

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

function throttled() {
  const emitted: ProgressTick[] = [];
  const throttle = createProgressThrottle({ intervalMs: 250, emit: (tick) => emitted.push(tick) });
  return { throttle, emitted, pcts: () => emitted.map((tick) => `${tick.taskId.slice(0, 1)}${tick.pct}`) };
}

describe("progress throttle", () => {
  it("sends a job's first tick at once, then the latest one at the end of each interval", () => {
    const { throttle, emitted } = throttled();
    const jobId = randomUUID();
    const taskId = randomUUID();
    for (let pct = 1; pct <= 5; pct++) throttle.push(progressTick({ jobId, taskId, pct }));
    expect(emitted.map((tick) => tick.pct)).toEqual([1]);
    vi.advanceTimersByTime(249);
    expect(emitted.map((tick) => tick.pct)).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(emitted.map((tick) => tick.pct)).toEqual([1, 5]);
    vi.advanceTimersByTime(1_000);
    expect(emitted.map((tick) => tick.pct)).toEqual([1, 5]);
    // idle for a whole interval: the next tick goes out at once again
    throttle.push(progressTick({ jobId, taskId, pct: 6 }));
    expect(emitted.map((tick) => tick.pct)).toEqual([1, 5, 6]);
  });

  it("sends the waiting tasks of a job in turn, each with its latest tick", () => {
    const { throttle, pcts } = throttled();
    const jobId = randomUUID();
    const [a, b, c] = ["a", "b", "c"].map((letter) => `${letter}${randomUUID().slice(1)}`);
    throttle.push(progressTick({ jobId, taskId: a!, pct: 1 }));
    throttle.push(progressTick({ jobId, taskId: b!, pct: 1 }));
    throttle.push(progressTick({ jobId, taskId: c!, pct: 1 }));
    throttle.push(progressTick({ jobId, taskId: b!, pct: 2 }));
    throttle.push(progressTick({ jobId, taskId: a!, pct: 2 }));
    vi.advanceTimersByTime(250 * 5);
    expect(pcts()).toEqual(["a1", "b2", "c1", "a2"]);
  });

  it("throttles each job on its own", () => {
    const { throttle, emitted } = throttled();
    const [one, two] = [randomUUID(), randomUUID()];
    throttle.push(progressTick({ jobId: one }));
    throttle.push(progressTick({ jobId: two }));
    throttle.push(progressTick({ jobId: one }));
    expect(emitted.map((tick) => tick.jobId)).toEqual([one, two]);
  });

  it("sends nothing more once closed", () => {
    const { throttle, emitted } = throttled();
    const jobId = randomUUID();
    throttle.push(progressTick({ jobId }));
    throttle.push(progressTick({ jobId }));
    throttle.close();
    vi.advanceTimersByTime(1_000);
    expect(emitted).toHaveLength(1);
  });
});
