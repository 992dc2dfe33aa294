import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { progressTick } from "../../infra/progress/progressBusContract.ts";
import type { Frame } from "./feedOutbox.ts";
import { createProgressFanOut } from "./progressFanOut.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The progress frames in what one write carries: job id and pct of each. */
const ticksIn = (frame: Frame) =>
  [
    ...Buffer.from(frame)
      .toString()
      .matchAll(/"job_id":"([^"]+)".*?"pct":(\d+)/g),
  ].map(([, jobId, pct]) => ({
    jobId: jobId!,
    pct: Number(pct),
  }));

describe("progress fan-out", () => {
  it("sends what every encoding job emitted in an interval in one write per client", async () => {
    const bus = createMemoryProgressBus();
    const fanOut = createProgressFanOut({ progressBus: bus, intervalMs: 100 });
    const jobs = [randomUUID(), randomUUID(), randomUUID()];
    const writes: Frame[] = [];
    const ofOneJob: Frame[] = [];
    const leave = fanOut.join({ jobId: undefined, send: (frame) => writes.push(frame) });
    const leaveOne = fanOut.join({ jobId: jobs[1], send: (frame) => ofOneJob.push(frame) });
    const started = performance.now();
    for (let pct = 1; pct <= 40; pct++) {
      // the jobs' ticks come at moments of their own, as their encoders report
      for (const jobId of jobs) {
        bus.publish(progressTick({ jobId, taskId: jobId, pct }));
        await sleep(3);
      }
    }
    const elapsed = performance.now() - started;
    await sleep(250);
    leave();
    leaveOne();
    await bus.close();

    expect(writes.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    const seen = writes.flatMap(ticksIn);
    for (const jobId of jobs) {
      const ofJob = seen.filter((tick) => tick.jobId === jobId);
      expect(ofJob.length).toBeGreaterThanOrEqual(3);
      expect(ofJob.at(-1)!.pct).toBe(40);
    }
    expect(new Set(ofOneJob.flatMap(ticksIn).map((tick) => tick.jobId))).toEqual(new Set([jobs[1]]));
  });
});
