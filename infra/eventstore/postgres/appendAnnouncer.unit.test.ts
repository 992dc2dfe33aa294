import { describe, expect, it } from "vitest";
import { createAppendAnnouncer } from "./appendAnnouncer.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recorder(sendMs = 0) {
  const sent: number[] = [];
  let inFlight = 0;
  let overlapped = false;
  return {
    sent,
    overlapped: () => overlapped,
    async send() {
      inFlight++;
      overlapped ||= inFlight > 1;
      sent.push(performance.now());
      await sleep(sendMs);
      inFlight--;
    },
  };
}

describe("append announcer", () => {
  it("announces the first append of a quiet spell at once", async () => {
    const r = recorder();
    const announcer = createAppendAnnouncer(r.send, () => {}, 50);
    const started = performance.now();
    announcer.announce();
    await sleep(0);
    expect(r.sent).toHaveLength(1);
    expect(r.sent[0]! - started).toBeLessThan(50);
    await announcer.close();
  });

  it("coalesces a burst into one NOTIFY per interval, one at a time, and always announces the last append", async () => {
    const r = recorder(3);
    const announcer = createAppendAnnouncer(r.send, () => {}, 20);
    const started = performance.now();
    let lastAppend = started;
    while (performance.now() - started < 100) {
      lastAppend = performance.now();
      announcer.announce();
      await sleep(1);
    }
    await sleep(60);
    // one at once, then at most one per 20 ms over ~100 ms of appends, plus the trailing one
    expect(r.sent.length).toBeGreaterThanOrEqual(3);
    expect(r.sent.length).toBeLessThanOrEqual(8);
    for (let i = 1; i < r.sent.length; i++) expect(r.sent[i]! - r.sent[i - 1]!).toBeGreaterThanOrEqual(19);
    expect(r.overlapped()).toBe(false);
    // the last append was announced: a NOTIFY went out after it (on a loaded machine the burst's
    // last sleep may outlast the interval, so that NOTIFY can come before the loop sees the burst end)
    expect(r.sent.at(-1)!).toBeGreaterThanOrEqual(lastAppend);
    await announcer.close();
  });

  it("sends what is unannounced when closed, and nothing after", async () => {
    const r = recorder();
    const announcer = createAppendAnnouncer(r.send, () => {}, 1_000);
    announcer.announce();
    await sleep(0);
    announcer.announce(); // waits for the interval
    expect(r.sent).toHaveLength(1);
    await announcer.close();
    expect(r.sent).toHaveLength(2);
    announcer.announce();
    await sleep(5);
    expect(r.sent).toHaveLength(2);
  });

  it("reports a failed NOTIFY and keeps announcing", async () => {
    const errors: Error[] = [];
    let calls = 0;
    const announcer = createAppendAnnouncer(
      async () => {
        calls++;
        if (calls === 1) throw new Error("connection reset");
      },
      (e) => errors.push(e),
      5,
    );
    announcer.announce();
    await sleep(10);
    announcer.announce();
    await sleep(10);
    expect(errors.map((e) => e.message)).toEqual(["connection reset"]);
    expect(calls).toBe(2);
    await announcer.close();
  });
});
