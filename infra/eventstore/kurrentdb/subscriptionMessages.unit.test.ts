// Drives the client's own Subscription transform with a fake gRPC read stream, so the ordering of the
// server's side-channel "caught up" notice against buffered events is tested without a server.
import { PassThrough } from "node:stream";
import type { AllStreamResolvedEvent, AllStreamSubscription, Position } from "@kurrent/kurrentdb-client";
import { Subscription } from "@kurrent/kurrentdb-client/dist/streams/utils/Subscription.js";
import { describe, expect, it } from "vitest";
import type { SubscriptionMessage } from "../../../domain/ports/eventStore.ts";
import { checkpointOf } from "./kurrentMapping.ts";
import { type SubscriptionMessagesOptions, subscriptionMessages } from "./subscriptionMessages.ts";

type SubscriptionArgs = ConstructorParameters<typeof Subscription>;

const positionOf = (n: number): Position => ({ commit: BigInt(n * 100), prepare: BigInt(n * 100) });

function resolved(n: number, type = "ThingHappened", streamId = "job-1"): AllStreamResolvedEvent {
  return {
    event: {
      streamId,
      id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
      type,
      revision: BigInt(n - 1),
      created: new Date(0),
      isJson: true,
      data: { n },
      metadata: {},
      position: positionOf(n),
    },
  } as AllStreamResolvedEvent;
}

// what the gRPC stream carries: ReadResp messages, of which the transform asks has…()/get…()
const eventResp = (event: AllStreamResolvedEvent) => ({ hasEvent: () => true, getEvent: () => event });
const caughtUpResp = () => ({ hasCaughtUp: () => true, getCaughtUp: () => ({ hasTimestamp: () => false }) });
const fellBehindResp = () => ({
  hasFellBehind: () => true,
  getFellBehind: () => ({ hasTimestamp: () => false }),
});

function fakeServer() {
  const grpc = Object.assign(new PassThrough({ objectMode: true }), {
    cancelled: false,
    cancel() {
      grpc.cancelled = true;
      grpc.destroy();
    },
  });
  let opened = 0;
  const open = () => {
    opened++;
    return new Subscription(
      (async () => grpc) as unknown as SubscriptionArgs[0],
      ((event: unknown) => event) as SubscriptionArgs[1],
      {},
    ) as unknown as AllStreamSubscription;
  };
  return {
    grpc,
    open,
    opened: () => opened,
    send: (...messages: object[]) => {
      for (const message of messages) grpc.write(message);
    },
  };
}

function pump(server: ReturnType<typeof fakeServer>, options: Partial<SubscriptionMessagesOptions> = {}) {
  const controller = new AbortController();
  const iterator = subscriptionMessages(server.open, {
    accepts: () => true,
    signal: controller.signal,
    ...options,
  });
  const take = async (count: number) => {
    const taken: SubscriptionMessage[] = [];
    while (taken.length < count) {
      const next = await iterator.next();
      if (next.done) break;
      taken.push(next.value);
    }
    return taken;
  };
  return { iterator, controller, take };
}

const describeMessage = (m: SubscriptionMessage) =>
  m.type === "event" ? `${m.event.type}#${(m.event.data as { n: number }).n}` : `caughtUp@${m.checkpoint}`;

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("subscription messages", () => {
  it("says caughtUp after every catch-up event, even when they still sit unread in the buffer", async () => {
    const server = fakeServer();
    const { iterator, take } = pump(server);
    const first = iterator.next();
    // more than the transform's buffer holds, so the notice arrives while events wait to be read
    server.send(...Array.from({ length: 40 }, (_, i) => eventResp(resolved(i + 1))), caughtUpResp());
    server.send(eventResp(resolved(41)), eventResp(resolved(42)));
    await tick();
    const messages = [(await first).value as SubscriptionMessage, ...(await take(42))];
    expect(messages.map(describeMessage)).toEqual([
      ...Array.from({ length: 40 }, (_, i) => `ThingHappened#${i + 1}`),
      `caughtUp@${checkpointOf(positionOf(40))}`,
      "ThingHappened#41",
      "ThingHappened#42",
    ]);
    await iterator.return(undefined);
  });

  it("delivers a caughtUp that arrives while the reader waits, then live events", async () => {
    const server = fakeServer();
    const { iterator, take } = pump(server);
    server.send(eventResp(resolved(1)), eventResp(resolved(2)));
    expect((await take(2)).map(describeMessage)).toEqual(["ThingHappened#1", "ThingHappened#2"]);
    const pending = iterator.next();
    await tick();
    server.send(caughtUpResp());
    expect(describeMessage((await pending).value as SubscriptionMessage)).toBe(
      `caughtUp@${checkpointOf(positionOf(2))}`,
    );
    server.send(eventResp(resolved(3)));
    expect((await take(1)).map(describeMessage)).toEqual(["ThingHappened#3"]);
    await iterator.return(undefined);
  });

  it("says caughtUp once, with no checkpoint when nothing was read", async () => {
    const server = fakeServer();
    const { iterator, take } = pump(server);
    server.send(
      caughtUpResp(),
      fellBehindResp(),
      eventResp(resolved(1)),
      caughtUpResp(),
      eventResp(resolved(2)),
    );
    expect((await take(3)).map(describeMessage)).toEqual([
      "caughtUp@null",
      "ThingHappened#1",
      "ThingHappened#2",
    ]);
    await iterator.return(undefined);
  });

  it("events filtered out here count toward the caughtUp place and move its checkpoint", async () => {
    const server = fakeServer();
    const { iterator, take } = pump(server, { accepts: (event) => event.type === "Wanted" });
    server.send(
      eventResp(resolved(1, "Unwanted")),
      eventResp(resolved(2, "Wanted")),
      eventResp(resolved(3, "Unwanted")),
      caughtUpResp(),
      eventResp(resolved(4, "Unwanted")),
      eventResp(resolved(5, "Wanted")),
    );
    expect((await take(3)).map(describeMessage)).toEqual([
      "Wanted#2",
      `caughtUp@${checkpointOf(positionOf(3))}`,
      "Wanted#5",
    ]);
    await iterator.return(undefined);
  });

  it("resumes strictly after the checkpoint and reports it until something newer is read", async () => {
    const server = fakeServer();
    const { iterator, take } = pump(server, { after: positionOf(2) });
    server.send(eventResp(resolved(2)), caughtUpResp(), eventResp(resolved(3)));
    expect((await take(2)).map(describeMessage)).toEqual([
      `caughtUp@${checkpointOf(positionOf(2))}`,
      "ThingHappened#3",
    ]);
    await iterator.return(undefined);
  });

  it("opens nothing before the first read", async () => {
    const server = fakeServer();
    const { iterator } = pump(server);
    expect(server.opened()).toBe(0);
    await iterator.return(undefined);
    expect(server.opened()).toBe(0);
  });

  it("an abort ends a pending read and cancels the call", async () => {
    const server = fakeServer();
    const { iterator, controller } = pump(server);
    server.send(caughtUpResp());
    expect((await iterator.next()).value).toEqual({ type: "caughtUp", checkpoint: null });
    const pending = iterator.next();
    await tick();
    controller.abort();
    expect((await pending).done).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.grpc.cancelled).toBe(true);
  });

  it("a server error ends the iteration with an Error naming the store", async () => {
    const server = fakeServer();
    const { iterator } = pump(server);
    const pending = iterator.next();
    await tick();
    server.grpc.destroy(new Error("connection reset"));
    await expect(pending).rejects.toThrow(
      /^KurrentDB event store: subscription to \$all failed: connection reset/,
    );
  });

  it("the server ending the subscription is an error, after what it sent", async () => {
    const server = fakeServer();
    const { iterator, take } = pump(server);
    server.send(eventResp(resolved(1)));
    server.grpc.end();
    expect((await take(1)).map(describeMessage)).toEqual(["ThingHappened#1"]);
    await expect(iterator.next()).rejects.toThrow(/the server ended the subscription/);
  });
});
