import { describe, expect, it, onTestFinished } from "vitest";
import { createFeedStats, type FeedStatsSnapshot } from "./feedStats.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function countingQuery() {
  let calls = 0;
  return {
    calls: () => calls,
    countJobsByStatus: async () => ({ queued: ++calls, processing: 1 }),
  };
}

describe("feed stats", () => {
  it("queries at once for the first listener, then every interval, once for all listeners", async () => {
    const query = countingQuery();
    const stats = createFeedStats({ countJobsByStatus: query.countJobsByStatus, intervalMs: 50 });
    const first: FeedStatsSnapshot[] = [];
    const second: FeedStatsSnapshot[] = [];
    onTestFinished(stats.subscribe((snapshot) => first.push(snapshot)));
    onTestFinished(stats.subscribe((snapshot) => second.push(snapshot)));
    await expect.poll(() => first.length).toBe(1);
    expect(first[0]?.counts).toEqual({ queued: 1, processing: 1 });
    await sleep(180);
    expect(query.calls()).toBeGreaterThanOrEqual(3);
    expect(query.calls()).toBeLessThanOrEqual(5);
    expect(second.map((snapshot) => snapshot.counts.queued)).toEqual(
      first.map((snapshot) => snapshot.counts.queued),
    );
  });

  it("hands a late listener the fresh counts at once, and stops querying when nobody listens", async () => {
    const query = countingQuery();
    const stats = createFeedStats({ countJobsByStatus: query.countJobsByStatus, intervalMs: 100 });
    const unsubscribe = stats.subscribe(() => {});
    await expect.poll(() => query.calls()).toBe(1);
    const late: FeedStatsSnapshot[] = [];
    const unsubscribeLate = stats.subscribe((snapshot) => late.push(snapshot));
    expect(late.map((snapshot) => snapshot.counts.queued)).toEqual([1]);
    unsubscribe();
    unsubscribeLate();
    await sleep(250);
    expect(query.calls()).toBe(1);
  });

  it("reports a failed query and keeps polling", async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const stats = createFeedStats({
      countJobsByStatus: async () => {
        calls++;
        if (calls === 1) throw new Error("database away");
        return { completed: 2 };
      },
      intervalMs: 20,
      onError: (error) => errors.push(error),
    });
    const heard: FeedStatsSnapshot[] = [];
    onTestFinished(stats.subscribe((snapshot) => heard.push(snapshot)));
    await expect.poll(() => heard.length).toBeGreaterThan(0);
    expect(errors).toEqual([new Error("database away")]);
    expect(heard[0]?.counts).toEqual({ completed: 2 });
  });
});
