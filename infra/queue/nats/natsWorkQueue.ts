// The work queue on NATS JetStream: a work-queue retention stream with a duplicate window, a subject per
// lane (`<subject>` for the encodes, `<subject>.light` for the light work) and per lane one durable
// explicit-ack pull consumer that every worker shares. Not-before travels in a header and is enforced
// here with nak(delay), since nats-server 2.9 has no delayed publish.
import {
  AckPolicy,
  type Consumer,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type JsMsg,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { connect, headers, nanos } from "@nats-io/transport-node";
import type { JsonObject } from "../../../domain/ports/eventStore.ts";
import type { ConsumeOptions, WorkLane, WorkMessage, WorkQueue } from "../../../domain/ports/workQueue.ts";

export interface NatsWorkQueueOptions {
  servers: string | string[];
  stream: string;
  subject: string;
  /** Durable consumer name of the main lane, shared by every worker of the queue; the light lane's is
   * this with "-light". */
  durable: string;
  ackWaitMs?: number;
  dedupeWindowMs?: number;
  /** Connection name shown by the server's monitoring. */
  name?: string;
}

export const notBeforeHeader = "WebEncode-Not-Before";
/** How long one pull waits on the server; abort closes it at once, so this only bounds idle traffic. */
const pullExpiresMs = 5_000;
const maxRetryDelayMs = 5_000;

const isApiError = (error: unknown, code: number) =>
  error instanceof JetStreamApiError && error.code === code;

/** The subject and durable consumer of each lane. */
const laneNames = (
  subject: string,
  durable: string,
): Record<WorkLane, { subject: string; durable: string }> => ({
  main: { subject, durable },
  light: { subject: `${subject}.light`, durable: `${durable}-light` },
});

async function ensureStream(
  jsm: JetStreamManager,
  { stream, subjects, dedupeWindowMs }: { stream: string; subjects: string[]; dedupeWindowMs: number },
) {
  const wanted = { subjects, duplicate_window: nanos(dedupeWindowMs) };
  try {
    const { config } = await jsm.streams.info(stream);
    const same =
      config.duplicate_window === wanted.duplicate_window &&
      config.subjects.length === subjects.length &&
      subjects.every((subject) => config.subjects.includes(subject));
    if (!same) await jsm.streams.update(stream, { ...config, ...wanted });
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add({
      name: stream,
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      ...wanted,
    });
  }
}

async function ensureConsumer(
  jsm: JetStreamManager,
  {
    stream,
    subject,
    durable,
    ackWaitMs,
  }: { stream: string; subject: string; durable: string; ackWaitMs: number },
) {
  try {
    const { config } = await jsm.consumers.info(stream, durable);
    if (config.ack_wait !== nanos(ackWaitMs)) {
      await jsm.consumers.update(stream, durable, { ack_wait: nanos(ackWaitMs) });
    }
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ackWaitMs),
      filter_subject: subject,
      max_deliver: -1,
    });
  }
}

const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Milliseconds this message must still wait before a consumer may see it (0 when due). */
const remainingDelay = (msg: JsMsg, now: number): number => {
  const notBefore = Number(msg.headers?.get(notBeforeHeader) || 0);
  return Math.max(0, notBefore - now);
};

/**
 * Deliveries to workers: the server's count less the one deferral a future not-before normally costs.
 * An estimate at the edges: a message first reached after its not-before (a backlog) counts one short
 * on redelivery; a deferral repeated (a reconnect in between) counts one extra.
 */
const deliveriesToWorkers = (msg: JsMsg): number => {
  const notBefore = Number(msg.headers?.get(notBeforeHeader) || 0);
  const publishedAt = msg.time.getTime();
  const deferrals = notBefore > publishedAt ? 1 : 0;
  return Math.max(1, msg.info.deliveryCount - deferrals);
};

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** One message, or undefined when the pull expired or the signal aborted it. */
async function pullOne(consumer: Consumer, signal: AbortSignal): Promise<JsMsg | undefined> {
  const batch = await consumer.fetch({ max_messages: 1, expires: pullExpiresMs });
  // closing unsubscribes the pull's inbox, and the server skips pulls that nobody listens to
  const stop = () => void batch.close();
  signal.addEventListener("abort", stop, { once: true });
  try {
    for await (const msg of batch) return msg;
    return undefined;
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

export async function openNatsWorkQueue(options: NatsWorkQueueOptions): Promise<WorkQueue> {
  const { stream } = options;
  const lanes = laneNames(options.subject, options.durable);
  const dedupeWindowMs = options.dedupeWindowMs ?? 600_000;
  const ackWaits: Record<WorkLane, number> = {
    main: options.ackWaitMs ?? 30_000,
    light: options.ackWaitMs ?? 30_000,
  };

  const nc = await connect({
    servers: options.servers,
    name: options.name ?? `webencode-queue-${stream}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
    const subjects = Object.values(lanes).map((lane) => lane.subject);
    await ensureStream(jsm, { stream, subjects, dedupeWindowMs });
    for (const [lane, names] of Object.entries(lanes) as [WorkLane, (typeof lanes)[WorkLane]][]) {
      await ensureConsumer(jsm, { stream, ...names, ackWaitMs: ackWaits[lane] });
    }
  } catch (error) {
    await nc.close();
    throw error;
  }
  const js = jsm.jetstream();
  const closing = new AbortController();

  // ack-wait belongs to the durable that all workers share: a consumer asking for another one sets it
  const useAckWait = async (lane: WorkLane, wanted: number) => {
    if (wanted === ackWaits[lane]) return;
    await jsm.consumers.update(stream, lanes[lane].durable, { ack_wait: nanos(wanted) });
    ackWaits[lane] = wanted;
  };

  const toWorkMessage = (msg: JsMsg, id: string, payload: JsonObject): WorkMessage => ({
    id,
    payload,
    deliveryCount: deliveriesToWorkers(msg),
    async ack() {
      await msg.ackAck();
    },
    nak: (delayMs) => msg.nak(delayMs),
    working: () => msg.working(),
    term: () => msg.term(),
  });

  /** The message as a worker sees it, or undefined when it is not for a worker (yet). */
  const admit = (msg: JsMsg): WorkMessage | undefined => {
    const delay = remainingDelay(msg, Date.now());
    if (delay > 0) {
      msg.nak(delay);
      return undefined;
    }
    const id = msg.headers?.get("Nats-Msg-Id");
    let payload: unknown;
    try {
      payload = msg.json();
    } catch {
      payload = undefined;
    }
    if (!id || !isJsonObject(payload)) {
      // not ours to process and never will be: redelivering it would only block a worker
      msg.term();
      return undefined;
    }
    return toWorkMessage(msg, id, payload);
  };

  return {
    async publish({ id, payload, notBefore, lane = "main" }) {
      const h = headers();
      if (notBefore) h.set(notBeforeHeader, String(notBefore.getTime()));
      const ack = await js.publish(lanes[lane].subject, JSON.stringify(payload), { msgID: id, headers: h });
      return { duplicate: ack.duplicate };
    },

    async *consume({ signal: callerSignal, ackWaitMs: wanted, lane = "main" }: ConsumeOptions) {
      const signal = AbortSignal.any([callerSignal, closing.signal]);
      const { durable } = lanes[lane];
      if (wanted !== undefined) await useAckWait(lane, wanted);
      let consumer: Consumer | undefined;
      let retryDelayMs = 0;
      while (!signal.aborted) {
        let msg: JsMsg | undefined;
        try {
          consumer ??= await js.consumers.get(stream, durable);
          msg = await pullOne(consumer, signal);
          retryDelayMs = 0;
        } catch {
          // disconnected, or the server lost the stream or consumer: wait, then look it up afresh
          if (signal.aborted) break;
          consumer = undefined;
          retryDelayMs = Math.min(maxRetryDelayMs, Math.max(100, retryDelayMs * 2));
          await abortableSleep(retryDelayMs, signal);
          continue;
        }
        if (!msg) continue;
        if (signal.aborted) {
          msg.nak(); // arrived as we stopped: let a live consumer have it now
          break;
        }
        const message = admit(msg);
        if (message) yield message;
      }
    },

    async depth() {
      const info = await jsm.streams.info(stream);
      return info.state.messages;
    },

    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      if (!nc.isClosed()) await nc.drain();
    },
  };
}
