import { randomBytes, randomUUID } from "node:crypto";
import { jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { connect, nanos } from "@nats-io/transport-node";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import type { WorkMessage, WorkQueue } from "../../../domain/ports/workQueue.ts";
import { startNatsServer } from "../../../test/support/natsServer.ts";
import { describeWorkQueueContract } from "../workQueueContract.ts";
import { type NatsWorkQueueOptions, openNatsWorkQueue } from "./natsWorkQueue.ts";

const server = await startNatsServer();
const admin = await connect({ servers: server.url });
const jsm = await jetstreamManager(admin);
afterAll(async () => {
  await admin.close();
  await server.stop();
});

/** Names of their own for every queue, so cases and parallel runs on one server never meet. */
function uniqueNames() {
  const suffix = randomBytes(6).toString("hex");
  return { stream: `WQ_${suffix}`, subject: `webencode.test.${suffix}.tasks`, durable: `workers_${suffix}` };
}

describeWorkQueueContract("NATS JetStream", async (options) => {
  const names = uniqueNames();
  const queue = await openNatsWorkQueue({ servers: server.url, ...names, ...options });
  return {
    queue,
    async dispose() {
      await queue.close();
      await jsm.streams.delete(names.stream);
    },
  };
});

async function openForTest(options: Partial<NatsWorkQueueOptions> & Pick<NatsWorkQueueOptions, "stream">) {
  const queue = await openNatsWorkQueue({
    servers: server.url,
    subject: `webencode.test.${options.stream}`,
    durable: "workers",
    ackWaitMs: 1_000,
    ...options,
  });
  onTestFinished(() => queue.close());
  return queue;
}

async function first(queue: WorkQueue, timeoutMs = 5_000): Promise<WorkMessage | undefined> {
  const signal = AbortSignal.timeout(timeoutMs);
  for await (const message of queue.consume({ signal })) return message;
  return undefined;
}

describe("NATS JetStream work queue", () => {
  it("is shared, with its dedupe window, by queues opened on the same names from separate connections", async () => {
    const names = uniqueNames();
    onTestFinished(async () => void (await jsm.streams.delete(names.stream)));
    const dispatcher = await openForTest(names);
    const worker = await openForTest(names);
    const id = randomUUID();
    expect(await dispatcher.publish({ id, payload: { n: 1 } })).toEqual({ duplicate: false });
    expect(await worker.publish({ id, payload: { n: 1 } })).toEqual({ duplicate: true });
    const message = await first(worker);
    expect(message).toMatchObject({ id, payload: { n: 1 }, deliveryCount: 1 });
    await message?.ack();
    expect(await dispatcher.depth()).toBe(0);
  });

  it("creates the stream and consumer as asked, and updates them when reopened with other settings", async () => {
    const names = uniqueNames();
    onTestFinished(async () => void (await jsm.streams.delete(names.stream)));
    await (await openForTest({ ...names, ackWaitMs: 30_000, dedupeWindowMs: 600_000 })).close();
    const created = await jsm.streams.info(names.stream);
    expect(created.config).toMatchObject({
      retention: "workqueue",
      subjects: [names.subject, `${names.subject}.light`],
      duplicate_window: nanos(600_000),
    });
    expect((await jsm.consumers.info(names.stream, names.durable)).config).toMatchObject({
      durable_name: names.durable,
      ack_policy: "explicit",
      ack_wait: nanos(30_000),
      filter_subject: names.subject,
    });
    expect((await jsm.consumers.info(names.stream, `${names.durable}-light`)).config).toMatchObject({
      ack_policy: "explicit",
      filter_subject: `${names.subject}.light`,
    });
    await openForTest({ ...names, ackWaitMs: 5_000, dedupeWindowMs: 60_000 });
    expect((await jsm.streams.info(names.stream)).config.duplicate_window).toBe(nanos(60_000));
    expect((await jsm.consumers.info(names.stream, names.durable)).config.ack_wait).toBe(nanos(5_000));
  });

  it("gives a stream made before the light lane its subject, keeping the messages it holds", async () => {
    const names = uniqueNames();
    onTestFinished(async () => void (await jsm.streams.delete(names.stream)));
    await jsm.streams.add({
      name: names.stream,
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      subjects: [names.subject],
      duplicate_window: nanos(600_000),
    });
    await jsm.jetstream().publish(names.subject, JSON.stringify({ waiting: true }), { msgID: randomUUID() });
    const queue = await openForTest(names);
    expect((await jsm.streams.info(names.stream)).config.subjects).toEqual([
      names.subject,
      `${names.subject}.light`,
    ]);
    const light = { id: randomUUID(), payload: { light: true } };
    await queue.publish({ ...light, lane: "light" });
    expect((await first(queue))?.payload).toEqual({ waiting: true });
    const controller = new AbortController();
    for await (const message of queue.consume({ signal: controller.signal, lane: "light" })) {
      expect(message.id).toBe(light.id);
      await message.ack();
      controller.abort();
    }
  });

  it("terms a message it cannot read instead of handing it to a worker", async () => {
    const names = uniqueNames();
    onTestFinished(async () => void (await jsm.streams.delete(names.stream)));
    const queue = await openForTest(names);
    const js = jsm.jetstream();
    await js.publish(names.subject, "not json", { msgID: randomUUID() });
    await js.publish(names.subject, JSON.stringify({ no: "id" }));
    const good = { id: randomUUID(), payload: { ok: true } };
    await queue.publish(good);
    const message = await first(queue);
    expect(message?.id).toBe(good.id);
    await message?.ack();
    await expect.poll(() => queue.depth()).toBe(0);
  });

  it.skipIf(process.env.WEBENCODE_TEST_NATS_URL)(
    "keeps consuming across a server restart, and acks a message it held through it",
    async () => {
      const own = await startNatsServer();
      onTestFinished(() => own.stop());
      const queue = await openForTest({ ...uniqueNames(), servers: own.url, ackWaitMs: 30_000 });
      const before = { id: randomUUID(), payload: { before: true } };
      await queue.publish(before);
      const controller = new AbortController();
      onTestFinished(() => controller.abort());
      const iterator = queue.consume({ signal: controller.signal })[Symbol.asyncIterator]();
      const held = (await iterator.next()).value as WorkMessage;
      expect(held.id).toBe(before.id);
      const waiting = iterator.next(); // a pull open on the server that is about to go away

      await own.restart!();

      const after = { id: randomUUID(), payload: { after: true } };
      await expect
        .poll(
          () =>
            queue.publish(after).then(
              () => true,
              () => false,
            ),
          { timeout: 10_000 },
        )
        .toBe(true);
      await held.ack();
      const next = await waiting;
      expect(next.value).toMatchObject({ id: after.id, deliveryCount: 1 });
      await (next.value as WorkMessage).ack();
      expect(await queue.depth()).toBe(0);
    },
  );
});
