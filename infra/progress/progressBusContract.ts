// The one contract every progress-bus adapter passes (in-process, core NATS). A harness gives a
// publishing bus and a subscribing one: the same bus in process, two connections over NATS.
import { randomUUID } from "node:crypto";
import { describe, it } from "vitest";
import type { LiveTelemetryTick } from "../../domain/ports/liveSessions.ts";
import type { ProgressBus, ProgressTick, WorkerHeartbeat } from "../../domain/ports/progressBus.ts";
import type { RestreamFiguresTick } from "../../domain/ports/restreamFigures.ts";

export interface ProgressBusHarness {
  publisher: ProgressBus;
  subscriber: ProgressBus;
  dispose(): Promise<void>;
}

export interface ContractBusOptions {
  maxJobs?: number;
  onError?: (error: unknown) => void;
}

const caseTimeoutMs = 20_000;

export function progressTick(overrides: Partial<ProgressTick> = {}): ProgressTick {
  return {
    jobId: randomUUID(),
    taskId: randomUUID(),
    attempt: 1,
    workerId: "worker-1",
    pct: 12.5,
    outTimeSec: 3.2,
    fps: 48.5,
    speed: 1.9,
    etaSeconds: 21,
    at: new Date().toISOString(),
    ...overrides,
  };
}

export function telemetryTick(overrides: Partial<LiveTelemetryTick> = {}): LiveTelemetryTick {
  return {
    streamId: randomUUID(),
    sessionId: randomUUID(),
    at: new Date().toISOString(),
    videoBitrateKbps: 2500,
    audioBitrateKbps: 128,
    fps: 30,
    keyframeIntervalSeconds: 2,
    droppedFrames: 0,
    uptimeSeconds: 12,
    width: 1280,
    height: 720,
    videoCodec: "h264",
    audioCodec: "aac",
    viewers: null,
    ...overrides,
  };
}

export function describeProgressBusContract(
  name: string,
  open: (options: ContractBusOptions) => Promise<ProgressBusHarness>,
) {
  describe.concurrent(`${name}: progress bus contract`, () => {
    async function busFor(
      onTestFinished: (fn: () => Promise<void>) => void,
      options: ContractBusOptions = {},
    ) {
      const harness = await open(options);
      onTestFinished(() => harness.dispose());
      const heard: ProgressTick[] = [];
      harness.subscriber.subscribe((tick) => heard.push(tick));
      // Ticks from one publisher arrive in order, so once this one is heard, every earlier one has been.
      const barrier = async (expect: {
        poll: (fn: () => unknown) => { toBe(value: unknown): Promise<void> };
      }) => {
        const sentinel = progressTick();
        harness.publisher.publish(sentinel);
        await expect.poll(() => heard.some((tick) => tick.jobId === sentinel.jobId)).toBe(true);
      };
      return { ...harness, heard, barrier };
    }

    it(
      "delivers every tick to every listener, as published and in the order published",
      async ({ expect, onTestFinished }) => {
        const { publisher, subscriber } = await busFor(onTestFinished);
        const jobs = [randomUUID(), randomUUID()];
        const ticks = Array.from({ length: 20 }, (_, n) =>
          progressTick({ jobId: jobs[n % 2], pct: n * 5, fps: n % 3 === 0 ? null : 30 }),
        );
        const first: ProgressTick[] = [];
        const second: ProgressTick[] = [];
        subscriber.subscribe((tick) => first.push(tick));
        subscriber.subscribe((tick) => second.push(tick));
        for (const tick of ticks) publisher.publish(tick);
        await expect.poll(() => first.length).toBe(ticks.length);
        await expect.poll(() => second.length).toBe(ticks.length);
        expect(first).toEqual(ticks);
        expect(second).toEqual(ticks);
      },
      caseTimeoutMs,
    );

    it(
      "stops delivering to a listener once it unsubscribes, and only to that one",
      async ({ expect, onTestFinished }) => {
        const { publisher, subscriber, heard, barrier } = await busFor(onTestFinished);
        const leaving: ProgressTick[] = [];
        const unsubscribe = subscriber.subscribe((tick) => leaving.push(tick));
        const before = progressTick();
        publisher.publish(before);
        await expect.poll(() => leaving.length).toBe(1);
        unsubscribe();
        const after = progressTick();
        publisher.publish(after);
        await barrier(expect);
        expect(heard.map((tick) => tick.jobId)).toContain(after.jobId);
        expect(leaving).toEqual([before]);
      },
      caseTimeoutMs,
    );

    it(
      "keeps the latest tick of each task, per job, and nothing for a job it never saw",
      async ({ expect, onTestFinished }) => {
        const { publisher, subscriber } = await busFor(onTestFinished);
        const [job, other] = [randomUUID(), randomUUID()];
        const [a, b] = [randomUUID(), randomUUID()];
        publisher.publish(progressTick({ jobId: job, taskId: a, pct: 10 }));
        publisher.publish(progressTick({ jobId: job, taskId: b, pct: 5 }));
        const latestA = progressTick({ jobId: job, taskId: a, pct: 20 });
        publisher.publish(latestA);
        const otherTick = progressTick({ jobId: other, pct: 99 });
        publisher.publish(otherTick);
        await expect.poll(() => subscriber.latest(other)).toEqual([otherTick]);
        const byTask = (ticks: ProgressTick[]) => new Map(ticks.map((tick) => [tick.taskId, tick.pct]));
        expect(byTask(subscriber.latest(job))).toEqual(
          new Map([
            [a, 20],
            [b, 5],
          ]),
        );
        expect(subscriber.latest(randomUUID())).toEqual([]);
      },
      caseTimeoutMs,
    );

    it(
      "does not let a late tick of an older attempt replace the newer attempt's",
      async ({ expect, onTestFinished }) => {
        const { publisher, subscriber, barrier } = await busFor(onTestFinished);
        const jobId = randomUUID();
        const taskId = randomUUID();
        const retry = progressTick({ jobId, taskId, attempt: 2, pct: 30 });
        publisher.publish(retry);
        publisher.publish(progressTick({ jobId, taskId, attempt: 1, pct: 90 }));
        await barrier(expect);
        expect(subscriber.latest(jobId)).toEqual([retry]);
        const progressed = progressTick({ jobId, taskId, attempt: 2, pct: 40 });
        publisher.publish(progressed);
        await expect.poll(() => subscriber.latest(jobId)).toEqual([progressed]);
      },
      caseTimeoutMs,
    );

    it(
      "forgets an ended job, and a tick still in flight does not bring it back",
      async ({ expect, onTestFinished }) => {
        const { publisher, subscriber, heard, barrier } = await busFor(onTestFinished);
        const jobId = randomUUID();
        publisher.publish(progressTick({ jobId, pct: 98 }));
        await expect.poll(() => subscriber.latest(jobId).length).toBe(1);
        subscriber.forget(jobId);
        expect(subscriber.latest(jobId)).toEqual([]);
        publisher.publish(progressTick({ jobId, pct: 99 }));
        await barrier(expect);
        expect(heard.filter((tick) => tick.jobId === jobId)).toHaveLength(2);
        expect(subscriber.latest(jobId)).toEqual([]);
      },
      caseTimeoutMs,
    );

    it(
      "tracks at most maxJobs jobs, dropping the one that ticked longest ago",
      async ({ expect, onTestFinished }) => {
        const { publisher, subscriber, barrier } = await busFor(onTestFinished, { maxJobs: 3 });
        const [j1, j2, j3, j4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
        const taskId = randomUUID();
        for (const jobId of [j1, j2, j3, j1]) publisher.publish(progressTick({ jobId, taskId }));
        await expect.poll(() => subscriber.latest(j3).length).toBe(1);
        publisher.publish(progressTick({ jobId: j4 }));
        await expect.poll(() => subscriber.latest(j4).length).toBe(1);
        expect(subscriber.latest(j2)).toEqual([]);
        expect(subscriber.latest(j1)).toHaveLength(1);
        expect(subscriber.latest(j3)).toHaveLength(1);
        // the barrier's sentinel is a job of its own: now j3 ticked longest ago, j1 having ticked again
        await barrier(expect);
        expect(subscriber.latest(j3)).toEqual([]);
        expect(subscriber.latest(j1)).toHaveLength(1);
        expect(subscriber.latest(j4)).toHaveLength(1);
      },
      caseTimeoutMs,
    );

    it(
      "keeps delivering to the other listeners when one throws, and reports the error",
      async ({ expect, onTestFinished }) => {
        const errors: unknown[] = [];
        const { publisher, subscriber, heard } = await busFor(onTestFinished, {
          onError: (error) => errors.push(error),
        });
        subscriber.subscribe(() => {
          throw new Error("a broken listener");
        });
        const after: ProgressTick[] = [];
        subscriber.subscribe((tick) => after.push(tick));
        const tick = progressTick();
        publisher.publish(tick);
        await expect.poll(() => after).toEqual([tick]);
        expect(heard).toEqual([tick]);
        expect(errors).toEqual([new Error("a broken listener")]);
      },
      caseTimeoutMs,
    );

    it(
      "carries workers' heartbeats to every heartbeat listener, apart from progress ticks",
      async ({ expect, onTestFinished }) => {
        const { publisher, subscriber, heard, barrier } = await busFor(onTestFinished);
        const beats: WorkerHeartbeat[] = [];
        const unsubscribe = subscriber.subscribeHeartbeats((beat) => beats.push(beat));
        const sent: WorkerHeartbeat[] = [
          {
            workerId: "encoder-1.example.com-3f2a",
            at: new Date().toISOString(),
            runningTasks: 1,
            draining: false,
          },
          { workerId: "encoder-2", at: new Date().toISOString(), runningTasks: 0, draining: true },
        ];
        for (const beat of sent) publisher.publishHeartbeat(beat);
        await expect.poll(() => beats).toEqual(sent);
        await barrier(expect);
        expect(heard.every((tick) => "jobId" in tick)).toBe(true);
        expect(heard).toHaveLength(1); // the barrier's own tick: heartbeats are not ticks
        unsubscribe();
        publisher.publishHeartbeat({ ...sent[0]!, runningTasks: 0 });
        await barrier(expect);
        expect(beats).toHaveLength(2);
      },
      caseTimeoutMs,
    );

    it(
      "carries live streams' telemetry to every telemetry listener, apart from progress ticks, and keeps each stream's latest until forgotten",
      async ({ expect, onTestFinished }) => {
        const { publisher, subscriber, heard, barrier } = await busFor(onTestFinished);
        const ticks: LiveTelemetryTick[] = [];
        const unsubscribe = subscriber.subscribeTelemetry((tick) => ticks.push(tick));
        const [one, other] = [randomUUID(), randomUUID()];
        const sent = [
          telemetryTick({ streamId: one, uptimeSeconds: 1 }),
          telemetryTick({ streamId: other, viewers: 3, keyframeIntervalSeconds: null, width: null }),
          telemetryTick({ streamId: one, uptimeSeconds: 2, droppedFrames: 4 }),
        ];
        for (const tick of sent) publisher.publishTelemetry(tick);
        await expect.poll(() => ticks).toEqual(sent);
        expect(subscriber.latestTelemetry(one)).toEqual(sent[2]);
        expect(subscriber.latestTelemetry(other)).toEqual(sent[1]);
        expect(subscriber.latestTelemetry(randomUUID())).toBeUndefined();
        await barrier(expect);
        expect(heard).toHaveLength(1); // the barrier's own tick: telemetry is not job progress
        subscriber.forgetTelemetry(one);
        expect(subscriber.latestTelemetry(one)).toBeUndefined();
        unsubscribe();
        publisher.publishTelemetry(telemetryTick({ streamId: one }));
        await expect.poll(() => subscriber.latestTelemetry(one)?.streamId).toBe(one);
        expect(ticks).toHaveLength(3);
      },
      caseTimeoutMs,
    );

    it(
      "carries a restream's figures from the kernel running it to the others, the latest of each restream",
      async ({ expect, onTestFinished }) => {
        const { publisher, subscriber } = await busFor(onTestFinished);
        const [one, other] = [randomUUID(), randomUUID()];
        const figures = (restreamId: string, skips: number): RestreamFiguresTick => ({
          restreamId,
          runId: randomUUID(),
          startedAt: Date.now() - 5000,
          at: new Date().toISOString(),
          destinations: {
            [randomUUID()]: { bitrateKbps: 2400, liveSince: Date.now() - 4000, skips },
            [randomUUID()]: { bitrateKbps: 0, liveSince: null, skips: 0 },
          },
        });
        const sent = [figures(one, 0), figures(other, 1), figures(one, 2)];
        for (const tick of sent) publisher.publishRestreamFigures(tick);
        await expect.poll(() => subscriber.latestRestreamFigures(one)).toEqual(sent[2]);
        expect(subscriber.latestRestreamFigures(other)).toEqual(sent[1]);
        expect(subscriber.latestRestreamFigures(randomUUID())).toBeUndefined();
      },
      caseTimeoutMs,
    );

    it(
      "once closed, takes publishes and subscriptions without throwing and delivers nothing",
      async ({ expect }) => {
        const { publisher, subscriber, dispose } = await open({});
        const heard: ProgressTick[] = [];
        subscriber.subscribe((tick) => heard.push(tick));
        await subscriber.close();
        await publisher.close();
        expect(() => publisher.publish(progressTick())).not.toThrow();
        expect(() => publisher.publishTelemetry(telemetryTick())).not.toThrow();
        expect(() =>
          publisher.publishRestreamFigures({
            restreamId: randomUUID(),
            runId: randomUUID(),
            startedAt: 0,
            at: new Date().toISOString(),
            destinations: {},
          }),
        ).not.toThrow();
        expect(() => subscriber.subscribeTelemetry(() => {})()).not.toThrow();
        const unsubscribe = subscriber.subscribe((tick) => heard.push(tick));
        expect(() => unsubscribe()).not.toThrow();
        expect(heard).toEqual([]);
        await expect(subscriber.close()).resolves.toBeUndefined();
        await dispose();
      },
      caseTimeoutMs,
    );
  });
}
