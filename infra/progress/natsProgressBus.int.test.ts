import { randomBytes } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import type { ProgressTick } from "../../domain/ports/progressBus.ts";
import { startNatsServer } from "../../test/support/natsServer.ts";
import { type NatsProgressBusOptions, openNatsProgressBus } from "./natsProgressBus.ts";
import { describeProgressBusContract, progressTick } from "./progressBusContract.ts";

const server = await startNatsServer();
afterAll(() => server.stop());

/** A prefix of its own for every case, so cases and parallel runs on one server never meet. */
const uniquePrefix = () => `webencode.test.${randomBytes(6).toString("hex")}.progress`;

describeProgressBusContract("core NATS", async (options) => {
  const subjectPrefix = uniquePrefix();
  // two connections, as a worker and the kernel would have
  const publisher = await openNatsProgressBus({ servers: server.url, subjectPrefix, ...options });
  const subscriber = await openNatsProgressBus({ servers: server.url, subjectPrefix, ...options });
  return {
    publisher,
    subscriber,
    async dispose() {
      await publisher.close();
      await subscriber.close();
    },
  };
});

async function openForTest(options: Partial<NatsProgressBusOptions> = {}) {
  const bus = await openNatsProgressBus({ servers: server.url, subjectPrefix: uniquePrefix(), ...options });
  onTestFinished(() => bus.close());
  return bus;
}

describe("core NATS progress bus", () => {
  it("publishes each tick as JSON on <prefix>.<jobId>", async () => {
    const subjectPrefix = uniquePrefix();
    const raw = await connect({ servers: server.url });
    onTestFinished(() => raw.close());
    const subscription = raw.subscribe(`${subjectPrefix}.>`, { max: 1 });
    await raw.flush();
    const bus = await openForTest({ subjectPrefix });
    const tick = progressTick();
    bus.publish(tick);
    for await (const message of subscription) {
      expect(message.subject).toBe(`${subjectPrefix}.${tick.jobId}`);
      expect(message.json()).toEqual(tick);
    }
  });

  it("reports and skips what is not a tick, and a tick on another job's subject", async () => {
    const subjectPrefix = uniquePrefix();
    const errors: unknown[] = [];
    const bus = await openForTest({ subjectPrefix, onError: (error) => errors.push(error) });
    const heard: ProgressTick[] = [];
    bus.subscribe((tick) => heard.push(tick));
    const raw = await connect({ servers: server.url });
    onTestFinished(() => raw.close());
    const misplaced = progressTick();
    raw.publish(`${subjectPrefix}.not-json`, "{");
    raw.publish(`${subjectPrefix}.no-tick`, JSON.stringify({ jobId: "no-tick" }));
    raw.publish(`${subjectPrefix}.someone-else`, JSON.stringify(misplaced));
    const good = progressTick();
    raw.publish(`${subjectPrefix}.${good.jobId}`, JSON.stringify(good));
    await expect.poll(() => heard).toEqual([good]);
    expect(errors).toHaveLength(3);
    expect(bus.latest(misplaced.jobId)).toEqual([]);
  });

  it("refuses a job id that is not one subject token instead of publishing on a wildcard", async () => {
    const errors: unknown[] = [];
    const bus = await openForTest({ onError: (error) => errors.push(error) });
    bus.publish(progressTick({ jobId: "a.b" }));
    bus.publish(progressTick({ jobId: ">" }));
    expect(errors).toHaveLength(2);
    await expect(openNatsProgressBus({ servers: server.url, subjectPrefix: "webencode.*" })).rejects.toThrow(
      /subject prefix/,
    );
  });

  it("does not hear the ticks of another prefix", async () => {
    const mine = await openForTest();
    const theirs = await openForTest();
    const heard: ProgressTick[] = [];
    mine.subscribe((tick) => heard.push(tick));
    theirs.publish(progressTick());
    const own = progressTick();
    mine.publish(own);
    await expect.poll(() => heard).toEqual([own]);
  });

  it.skipIf(process.env.WEBENCODE_TEST_NATS_URL)(
    "carries ticks again after the server restarts",
    async () => {
      const own = await startNatsServer();
      onTestFinished(() => own.stop());
      const subjectPrefix = uniquePrefix();
      const publisher = await openForTest({ servers: own.url, subjectPrefix });
      const subscriber = await openForTest({ servers: own.url, subjectPrefix });
      const heard: ProgressTick[] = [];
      subscriber.subscribe((tick) => heard.push(tick));
      await own.restart!();
      const jobId = progressTick().jobId;
      // ticks published while the client reconnects may be lost (core NATS); later ones must arrive
      await expect
        .poll(
          () => {
            publisher.publish(progressTick({ jobId }));
            return heard.some((tick) => tick.jobId === jobId);
          },
          { timeout: 15_000, interval: 200 },
        )
        .toBe(true);
      expect(subscriber.latest(jobId).length).toBe(1);
    },
  );
});
