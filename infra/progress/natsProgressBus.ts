// Progress ticks on core NATS: one JSON message per tick on `<prefix>.<jobId>`, no JetStream (a tick
// lost while nobody listens is worth nothing a second later). Every process subscribes to
// `<prefix>.*`, so `latest` knows the ticks of every worker, its own included.
import { connect } from "@nats-io/transport-node";
import { z } from "zod";
import type { LiveTelemetryTick } from "../../domain/ports/liveSessions.ts";
import type { ProgressBus, ProgressTick, WorkerHeartbeat } from "../../domain/ports/progressBus.ts";
import type { RestreamFiguresTick } from "../../domain/ports/restreamFigures.ts";
import { createLatestRestreamFigures, createLatestTelemetry } from "./latestTelemetry.ts";
import { createLatestTicks, type LatestTicksOptions } from "./latestTicks.ts";
import { createTickListeners } from "./tickListeners.ts";

export interface NatsProgressBusOptions extends LatestTicksOptions {
  servers: string | string[];
  /** Ticks travel on `<subjectPrefix>.<jobId>`, e.g. `webencode.progress`. */
  subjectPrefix: string;
  /** Connection name shown by the server's monitoring. */
  name?: string;
  /** A message that is not a tick, a job id that cannot be a subject token, or a listener that threw. */
  onError?: (error: unknown) => void;
}

// Not strict: a newer worker may add fields that this reader ignores.
const progressTickSchema = z.object({
  jobId: z.string().min(1),
  taskId: z.string().min(1),
  attempt: z.number().int().positive(),
  workerId: z.string(),
  pct: z.number(),
  outTimeSec: z.number(),
  fps: z.number().nullable(),
  speed: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  at: z.string(),
}) satisfies z.ZodType<ProgressTick>;

const workerHeartbeatSchema = z.object({
  workerId: z.string().min(1),
  at: z.string(),
  runningTasks: z.number().int().nonnegative(),
  draining: z.boolean(),
}) satisfies z.ZodType<WorkerHeartbeat>;

const telemetryTickSchema = z.object({
  streamId: z.string().min(1),
  sessionId: z.string().min(1),
  at: z.string(),
  videoBitrateKbps: z.number(),
  audioBitrateKbps: z.number(),
  fps: z.number(),
  keyframeIntervalSeconds: z.number().nullable(),
  droppedFrames: z.number().int().nonnegative(),
  uptimeSeconds: z.number(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  videoCodec: z.string().nullable(),
  audioCodec: z.string().nullable(),
  viewers: z.number().int().nonnegative().nullable(),
}) satisfies z.ZodType<LiveTelemetryTick>;

const restreamFiguresTickSchema = z.object({
  restreamId: z.string().min(1),
  runId: z.string().min(1),
  startedAt: z.number(),
  at: z.string(),
  destinations: z.record(
    z.string(),
    z.object({
      bitrateKbps: z.number(),
      liveSince: z.number().nullable(),
      skips: z.number().int().nonnegative(),
    }),
  ),
}) satisfies z.ZodType<RestreamFiguresTick>;

/** One subject token: no separators, wildcards or whitespace. */
const subjectToken = /^[^.*>\s]+$/;

export async function openNatsProgressBus(options: NatsProgressBusOptions): Promise<ProgressBus> {
  const { subjectPrefix } = options;
  if (!subjectPrefix.split(".").every((token) => subjectToken.test(token))) {
    throw new Error(`not a NATS subject prefix: ${JSON.stringify(subjectPrefix)}`);
  }
  const onError = options.onError ?? (() => {});
  const latestTicks = createLatestTicks(options);
  const listeners = createTickListeners(onError);
  const heartbeats = createTickListeners<WorkerHeartbeat>(onError);
  // one subject for every worker: worker ids (host names) may hold dots, which a subject token may not
  const heartbeatSubject = `${subjectPrefix}-heartbeats`;
  // live streams' telemetry on `<prefix>-telemetry.<streamId>`: apart from job ticks' `<prefix>.*`
  const telemetrySubject = `${subjectPrefix}-telemetry`;
  const telemetry = createTickListeners<LiveTelemetryTick>(onError);
  const latestTelemetry = createLatestTelemetry();
  // restreams' figures on one subject: a few a second in all, read by every kernel
  const restreamFiguresSubject = `${subjectPrefix}-restream-figures`;
  const latestRestreams = createLatestRestreamFigures();
  let closed = false;

  const nc = await connect({
    servers: options.servers,
    name: options.name ?? `webencode-progress-${subjectPrefix}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  nc.subscribe(`${subjectPrefix}.*`, {
    callback(error, message) {
      if (error) return onError(error);
      let tick: ProgressTick;
      try {
        const parsed = progressTickSchema.safeParse(message.json());
        if (!parsed.success) return onError(new Error(`not a progress tick on ${message.subject}`));
        tick = parsed.data;
      } catch (decodeError) {
        return onError(decodeError);
      }
      if (message.subject !== `${subjectPrefix}.${tick.jobId}`) {
        return onError(new Error(`a tick of job ${tick.jobId} arrived on ${message.subject}`));
      }
      latestTicks.record(tick);
      listeners.deliver(tick);
    },
  });
  /** Every message on `subject` that `schema` takes, to `deliver`; the rest to onError as `what`. */
  const follow = <T>(subject: string, schema: z.ZodType<T>, what: string, deliver: (value: T) => void) =>
    nc.subscribe(subject, {
      callback(error, message) {
        if (error) return onError(error);
        try {
          const parsed = schema.safeParse(message.json());
          if (!parsed.success) return onError(new Error(`not ${what} on ${message.subject}`));
          deliver(parsed.data);
        } catch (decodeError) {
          onError(decodeError);
        }
      },
    });
  follow(heartbeatSubject, workerHeartbeatSchema, "a heartbeat", (heartbeat) =>
    heartbeats.deliver(heartbeat),
  );
  nc.subscribe(`${telemetrySubject}.*`, {
    callback(error, message) {
      if (error) return onError(error);
      let tick: LiveTelemetryTick;
      try {
        const parsed = telemetryTickSchema.safeParse(message.json());
        if (!parsed.success) return onError(new Error(`not a telemetry tick on ${message.subject}`));
        tick = parsed.data;
      } catch (decodeError) {
        return onError(decodeError);
      }
      if (message.subject !== `${telemetrySubject}.${tick.streamId}`) {
        return onError(new Error(`telemetry of stream ${tick.streamId} arrived on ${message.subject}`));
      }
      latestTelemetry.record(tick);
      telemetry.deliver(tick);
    },
  });
  follow(restreamFiguresSubject, restreamFiguresTickSchema, "restream figures", (tick) =>
    latestRestreams.record(tick),
  );
  /** Buffered by the client while it reconnects; it only throws once the connection is closed. */
  const send = (subject: string, value: unknown) => {
    try {
      nc.publish(subject, JSON.stringify(value));
    } catch (error) {
      onError(error);
    }
  };
  // the server knows the subscription before the bus is handed out, so no tick published afterwards is missed
  await nc.flush();

  return {
    publish(tick) {
      if (closed) return;
      if (!subjectToken.test(tick.jobId)) {
        return onError(new Error(`job id ${JSON.stringify(tick.jobId)} cannot be a subject token`));
      }
      send(`${subjectPrefix}.${tick.jobId}`, tick);
    },
    subscribe: (listener) => (closed ? () => {} : listeners.add(listener)),
    latest: (jobId) => latestTicks.latest(jobId),
    forget: (jobId) => latestTicks.forget(jobId),
    publishHeartbeat(heartbeat) {
      if (!closed) send(heartbeatSubject, heartbeat);
    },
    subscribeHeartbeats: (listener) => (closed ? () => {} : heartbeats.add(listener)),
    publishTelemetry(tick) {
      if (closed) return;
      if (!subjectToken.test(tick.streamId)) {
        return onError(new Error(`stream id ${JSON.stringify(tick.streamId)} cannot be a subject token`));
      }
      send(`${telemetrySubject}.${tick.streamId}`, tick);
    },
    subscribeTelemetry: (listener) => (closed ? () => {} : telemetry.add(listener)),
    latestTelemetry: (streamId) => latestTelemetry.latest(streamId),
    forgetTelemetry: (streamId) => latestTelemetry.forget(streamId),
    publishRestreamFigures(tick) {
      if (!closed) send(restreamFiguresSubject, tick);
    },
    latestRestreamFigures: (restreamId) => latestRestreams.latest(restreamId),
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      heartbeats.clear();
      telemetry.clear();
      await nc.close();
    },
  };
}
