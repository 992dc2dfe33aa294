// The one contract every work-queue adapter passes (in-process, NATS JetStream). Each case opens a
// queue of its own, so the cases run concurrently and also against a shared server.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "vitest";
import type { WorkLane, WorkMessage, WorkQueue } from "../../domain/ports/workQueue.ts";

export interface WorkQueueHarness {
  queue: WorkQueue;
  dispose(): Promise<void>;
}

export interface ContractQueueOptions {
  ackWaitMs: number;
  dedupeWindowMs?: number;
}

/** Short enough to keep the suite fast, long enough that a busy machine does not fake a redelivery. */
const ackWaitMs = 800;
/** Slack for timers that fire a little early or for a message in transit. */
const jitterMs = 25;
const caseTimeoutMs = 30_000;

interface Received {
  message: WorkMessage;
  at: number;
}

interface TestConsumer {
  /** The next message within `timeoutMs`, or undefined; a pull left open carries over to the next call. */
  next(timeoutMs?: number): Promise<Received | undefined>;
  stop(): void;
}

function startConsumer(queue: WorkQueue, ackWaitMs?: number, lane?: WorkLane): TestConsumer {
  const controller = new AbortController();
  const iterator = queue
    .consume({ signal: controller.signal, ackWaitMs, ...(lane === undefined ? {} : { lane }) })
    [Symbol.asyncIterator]();
  let pending: Promise<Received | undefined> | undefined;
  return {
    async next(timeoutMs = 5_000) {
      pending ??= iterator.next().then((r) => (r.done ? undefined : { message: r.value, at: Date.now() }));
      const timedOut = Symbol("timedOut");
      const result = await Promise.race([pending, sleep(timeoutMs, timedOut, { ref: false })]);
      if (result === timedOut) return undefined;
      pending = undefined;
      return result;
    },
    stop: () => controller.abort(),
  };
}

function item(payload: Record<string, unknown> = {}) {
  return { id: randomUUID(), payload: { taskId: randomUUID(), ...payload } };
}

export function describeWorkQueueContract(
  name: string,
  open: (options: ContractQueueOptions) => Promise<WorkQueueHarness>,
) {
  describe.concurrent(`${name}: work queue contract`, () => {
    // opens a queue for one case and disposes of it, and of its consumers, when the case ends
    async function queueFor(
      onTestFinished: (fn: () => Promise<void>) => void,
      options: Partial<ContractQueueOptions> = {},
    ) {
      const harness = await open({ ackWaitMs, ...options });
      const consumers: TestConsumer[] = [];
      onTestFinished(async () => {
        for (const consumer of consumers) consumer.stop();
        await harness.dispose();
      });
      const consumer = (consumerAckWaitMs?: number, lane?: WorkLane) => {
        const started = startConsumer(harness.queue, consumerAckWaitMs, lane);
        consumers.push(started);
        return started;
      };
      return { queue: harness.queue, consumer };
    }

    it(
      "delivers a published message once and, acked, leaves nothing behind",
      async ({ expect, onTestFinished }) => {
        const { queue, consumer } = await queueFor(onTestFinished);
        const published = item({ attempt: 1, plan: { width: 1280, codecs: ["h264"] } });
        expect(await queue.publish(published)).toEqual({ duplicate: false });
        const worker = consumer();
        const received = await worker.next();
        expect(received?.message).toMatchObject({ ...published, deliveryCount: 1 });
        await received?.message.ack();
        await expect.poll(() => queue.depth()).toBe(0);
        // not redelivered after the ack-wait either
        expect(await worker.next(ackWaitMs * 2)).toBeUndefined();
      },
      caseTimeoutMs,
    );

    it(
      "hands a light message only to a light consumer and a main one only to a main consumer, each lane in order",
      async ({ expect, onTestFinished }) => {
        const { queue, consumer } = await queueFor(onTestFinished);
        const encodes = [item({ n: 1 }), item({ n: 2 })];
        const light = [item({ n: 3 }), item({ n: 4 })];
        await queue.publish(encodes[0]!);
        await queue.publish({ ...light[0]!, lane: "light" });
        await queue.publish(encodes[1]!);
        await queue.publish({ ...light[1]!, lane: "light" });
        expect(await queue.depth()).toBe(4);
        const main = consumer();
        const beside = consumer(undefined, "light");
        // the main consumer holds its first message unacked: the light lane is not held up by it
        const firstEncode = await main.next();
        expect(firstEncode?.message.id).toBe(encodes[0]!.id);
        for (const expected of light) {
          const received = await beside.next();
          expect(received?.message.id).toBe(expected.id);
          await received?.message.ack();
        }
        expect(await beside.next(ackWaitMs / 2)).toBeUndefined();
        await firstEncode?.message.ack();
        const secondEncode = await main.next();
        expect(secondEncode?.message.id).toBe(encodes[1]!.id);
        await secondEncode?.message.ack();
        await expect.poll(() => queue.depth()).toBe(0);
      },
      caseTimeoutMs,
    );

    it(
      "does not enqueue an id twice within the dedupe window, even after the first was acked",
      async ({ expect, onTestFinished }) => {
        const { queue, consumer } = await queueFor(onTestFinished);
        const first = item({ version: "first" });
        expect(await queue.publish(first)).toEqual({ duplicate: false });
        expect(await queue.publish({ ...first, payload: { version: "second" } })).toEqual({
          duplicate: true,
        });
        expect(await queue.depth()).toBe(1);
        const worker = consumer();
        const received = await worker.next();
        expect(received?.message.payload).toEqual(first.payload);
        await received?.message.ack();
        // the dispatcher re-publishing after a restart: the event was handled already
        expect(await queue.publish(first)).toEqual({ duplicate: true });
        expect(await queue.publish(item())).toEqual({ duplicate: false });
        const other = await worker.next();
        expect(other?.message.id).not.toBe(first.id);
        await other?.message.ack();
        expect(await worker.next(ackWaitMs * 1.5)).toBeUndefined();
        await expect.poll(() => queue.depth()).toBe(0);
      },
      caseTimeoutMs,
    );

    it(
      "enqueues an id again once its dedupe window has passed",
      async ({ expect, onTestFinished }) => {
        const dedupeWindowMs = 1_000;
        const { queue } = await queueFor(onTestFinished, { dedupeWindowMs });
        const message = item();
        const publishedAt = Date.now();
        expect(await queue.publish(message)).toEqual({ duplicate: false });
        expect(await queue.publish(message)).toEqual({ duplicate: true });
        let again = await queue.publish(message);
        while (again.duplicate && Date.now() - publishedAt < dedupeWindowMs * 5) {
          await sleep(100);
          again = await queue.publish(message);
        }
        expect(again).toEqual({ duplicate: false });
        expect(Date.now() - publishedAt).toBeGreaterThanOrEqual(dedupeWindowMs - jitterMs);
        expect(await queue.depth()).toBe(2);
      },
      caseTimeoutMs,
    );

    it(
      "redelivers a message not acked within the ack-wait, counting the delivery",
      async ({ expect, onTestFinished }) => {
        const { queue, consumer } = await queueFor(onTestFinished);
        const published = item();
        await queue.publish(published);
        const worker = consumer();
        const first = await worker.next();
        expect(first?.message.deliveryCount).toBe(1);
        // the worker "dies": no ack, no heartbeat
        const again = await worker.next(ackWaitMs * 5);
        expect(again?.message).toMatchObject({
          id: published.id,
          payload: published.payload,
          deliveryCount: 2,
        });
        expect(again!.at - first!.at).toBeGreaterThanOrEqual(ackWaitMs - jitterMs);
        await again?.message.ack();
        expect(await worker.next(ackWaitMs * 1.5)).toBeUndefined();
      },
      caseTimeoutMs,
    );

    it(
      "uses the ack-wait a consumer asks for",
      async ({ expect, onTestFinished }) => {
        const { queue, consumer } = await queueFor(onTestFinished, { ackWaitMs: 60_000 });
        await queue.publish(item());
        const worker = consumer(600);
        const first = await worker.next();
        const again = await worker.next(5_000);
        expect(again?.message.deliveryCount).toBe(2);
        expect(again!.at - first!.at).toBeGreaterThanOrEqual(600 - jitterMs);
        await again?.message.ack();
      },
      caseTimeoutMs,
    );

    it(
      "keeps a message from redelivery while working() heartbeats go on past several ack-waits",
      async ({ expect, onTestFinished }) => {
        const { queue, consumer } = await queueFor(onTestFinished);
        await queue.publish(item());
        const worker = consumer();
        const idle = consumer();
        const held = await worker.next();
        expect(held).toBeDefined();
        // the idle consumer pulls the whole time: a redelivery would reach it
        const stolen = idle.next(ackWaitMs * 4);
        const until = Date.now() + ackWaitMs * 3.5;
        while (Date.now() < until) {
          held?.message.working();
          await sleep(ackWaitMs / 4);
        }
        expect(await queue.depth()).toBe(1);
        await held?.message.ack();
        expect(await stolen).toBeUndefined();
        expect(await worker.next(ackWaitMs * 1.5)).toBeUndefined();
        await expect.poll(() => queue.depth()).toBe(0);
      },
      caseTimeoutMs,
    );

    it(
      "redelivers a nak'd message at once, and one nak'd with a delay no sooner than the delay",
      async ({ expect, onTestFinished }) => {
        const { queue, consumer } = await queueFor(onTestFinished);
        await queue.publish(item());
        const worker = consumer();
        const first = await worker.next();
        first?.message.nak();
        const second = await worker.next(ackWaitMs * 0.75);
        expect(second?.message.deliveryCount).toBe(2);
        const delayMs = 1_500;
        const nakAt = Date.now();
        second?.message.nak(delayMs);
        const third = await worker.next(delayMs * 4);
        expect(third?.message.deliveryCount).toBe(3);
        expect(third!.at - nakAt).toBeGreaterThanOrEqual(delayMs - jitterMs);
        await third?.message.ack();
      },
      caseTimeoutMs,
    );

    it(
      "hands out a message with notBefore no earlier than that, without holding back the others",
      async ({ expect, onTestFinished }) => {
        const { queue, consumer } = await queueFor(onTestFinished);
        const notBefore = new Date(Date.now() + 1_500);
        const later = { ...item(), notBefore };
        const now = item();
        await queue.publish(later);
        await queue.publish(now);
        const worker = consumer();
        const first = await worker.next();
        expect(first?.message.id).toBe(now.id);
        await first?.message.ack();
        const second = await worker.next(5_000);
        expect(second?.message).toMatchObject({ id: later.id, payload: later.payload, deliveryCount: 1 });
        expect(second!.at).toBeGreaterThanOrEqual(notBefore.getTime());
        await second?.message.ack();
      },
      caseTimeoutMs,
    );

    it(
      "drops a termed message for good",
      async ({ expect, onTestFinished }) => {
        const { queue, consumer } = await queueFor(onTestFinished);
        await queue.publish(item());
        const worker = consumer();
        const received = await worker.next();
        received?.message.term();
        expect(await worker.next(ackWaitMs * 2)).toBeUndefined();
        await expect.poll(() => queue.depth()).toBe(0);
      },
      caseTimeoutMs,
    );

    it(
      "shares 20 messages between two consumers, each delivered to exactly one of them",
      async ({ expect, onTestFinished }) => {
        const { queue } = await queueFor(onTestFinished);
        const published = Array.from({ length: 20 }, (_, i) => item({ i }));
        for (const message of published) await queue.publish(message);

        const controller = new AbortController();
        onTestFinished(async () => controller.abort());
        const deliveries: Array<{ consumer: number; id: string; deliveryCount: number }> = [];
        const run = async (consumer: number) => {
          for await (const message of queue.consume({ signal: controller.signal })) {
            deliveries.push({ consumer, id: message.id, deliveryCount: message.deliveryCount });
            await sleep(20); // some work, so that both consumers get their turn
            await message.ack();
          }
        };
        const running = Promise.all([run(1), run(2)]);
        await expect.poll(() => deliveries.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(20);
        await sleep(ackWaitMs * 1.5); // a redelivery or a second delivery would show up by now
        controller.abort();
        await running;

        expect(deliveries).toHaveLength(20);
        expect(new Set(deliveries.map((d) => d.id))).toEqual(new Set(published.map((m) => m.id)));
        expect(deliveries.every((d) => d.deliveryCount === 1)).toBe(true);
        expect(deliveries.some((d) => d.consumer === 1)).toBe(true);
        expect(deliveries.some((d) => d.consumer === 2)).toBe(true);
        await expect.poll(() => queue.depth()).toBe(0);
      },
      caseTimeoutMs,
    );

    it(
      "counts waiting, deferred and in-flight messages in depth until they are acked or termed",
      async ({ expect, onTestFinished }) => {
        const { queue, consumer } = await queueFor(onTestFinished);
        expect(await queue.depth()).toBe(0);
        await queue.publish(item());
        await queue.publish(item());
        await queue.publish({ ...item(), notBefore: new Date(Date.now() + 60_000) });
        expect(await queue.depth()).toBe(3);
        const worker = consumer();
        const first = await worker.next();
        expect(await queue.depth()).toBe(3);
        await first?.message.ack();
        await expect.poll(() => queue.depth()).toBe(2);
        const second = await worker.next();
        second?.message.term();
        await expect.poll(() => queue.depth()).toBe(1);
        // only the deferred one is left, and it is not handed out
        expect(await worker.next(ackWaitMs)).toBeUndefined();
        expect(await queue.depth()).toBe(1);
      },
      caseTimeoutMs,
    );

    it(
      "ends consumption when the signal aborts, leaving later messages to live consumers",
      async ({ expect, onTestFinished }) => {
        const { queue, consumer } = await queueFor(onTestFinished);
        const controller = new AbortController();
        const seen: string[] = [];
        const stopped = (async () => {
          for await (const message of queue.consume({ signal: controller.signal })) seen.push(message.id);
          return Date.now();
        })();
        await sleep(200);
        const abortedAt = Date.now();
        controller.abort();
        expect((await stopped) - abortedAt).toBeLessThan(1_000);

        const published = item();
        await queue.publish(published);
        const received = await consumer().next(ackWaitMs / 2);
        expect(received?.message).toMatchObject({ id: published.id, deliveryCount: 1 });
        expect(seen).toEqual([]);
        await received?.message.ack();
      },
      caseTimeoutMs,
    );

    it(
      "ends every consumption when the queue is closed",
      async ({ expect, onTestFinished }) => {
        const { queue } = await queueFor(onTestFinished);
        const consumeUntilEnd = async () => {
          for await (const message of queue.consume({ signal: new AbortController().signal })) {
            throw new Error(`unexpected message ${message.id}`);
          }
          return "ended";
        };
        const ended = Promise.all([consumeUntilEnd(), consumeUntilEnd()]);
        await sleep(200);
        await queue.close();
        expect(await ended).toEqual(["ended", "ended"]);
      },
      caseTimeoutMs,
    );
  });
}
