// live-embedded: RTMP ingest inside the process on node-media-server's session and broadcast classes,
// SRT through a relay into it. A publish is held until the host decides it: nothing it sends reaches a
// reader before. Allowed media is broadcast under the stream's id (never its key); local readers play
// it through a read URL carrying a token only this engine can make.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { createEventChannel, type EventChannel } from "../sdk/eventChannel.ts";
import type {
  EngineEvent,
  IngestConfig,
  LiveCapabilities,
  LiveEngine,
  PublishDecision,
  StopRequest,
  TelemetryBatch,
} from "../sdk/liveEngine.ts";
import { createRtmpSession, type NmsSession, nmsContext } from "./nodeMediaServer.ts";
import { type SrtRelay, startSrtRelay } from "./srtRelay.ts";
import { createStreamMeter, type StreamMeter } from "./streamMeter.ts";

const PUBLISH_APP = "live";
const READ_APP = "read";
/** Where an SRT caller's ffmpeg publishes once its key was allowed. */
const RELAY_APP = "relay";
const SAFE_NAME = /^[a-zA-Z0-9_-]+$/;

export interface EmbeddedEngineOptions {
  /** A publish attempt the host has not answered within this is refused. */
  readonly decisionTimeoutMs?: number;
  readonly telemetryIntervalMs?: number;
  /** ffmpeg with libsrt, for SRT callers; else FFMPEG_PATH, else ffmpeg on the PATH. */
  readonly ffmpegPath?: string;
  readonly log?: (line: string) => void;
}

interface PendingPublish {
  readonly session: NmsSession;
  readonly timer: NodeJS.Timeout;
}

interface Publish {
  readonly session: NmsSession;
  readonly meter: StreamMeter;
}

export function createEmbeddedEngine(options: EmbeddedEngineOptions = {}): LiveEngine {
  const decisionTimeoutMs = options.decisionTimeoutMs ?? 10_000;
  const telemetryIntervalMs = options.telemetryIntervalMs ?? 1000;
  const readSecret = randomBytes(32);
  const pending = new Map<string, PendingPublish>();
  const publishing = new Map<string, Publish>();
  const readTokens = new Map<string, string>();
  const sockets = new Set<Socket>();
  /** SRT attempts waiting for the host, and allowed SRT callers' relays by their flow id. */
  const srtPending = new Map<string, { flowId: string; answer: (allowed: boolean) => void }>();
  const relays = new Map<string, { attemptId: string; streamId: string }>();
  let srtRelay: SrtRelay | null = null;
  let events: EventChannel<EngineEvent> | null = null;
  let server: Server | null = null;
  let rtmpPort = 0;
  /** False while only the loopback server runs (the RTMP port was taken): publishers use SRT. */
  let rtmpPublic = true;
  /** Where this process reaches its own RTMP server (readers, SRT relays). */
  let localHost = "127.0.0.1";

  const readTokenOf = (streamId: string) => {
    const token = createHmac("sha256", readSecret).update(streamId).digest("hex").slice(0, 32);
    readTokens.set(token, streamId);
    return token;
  };
  const readUrlOf = (streamId: string) =>
    `rtmp://${localHost}:${rtmpPort}/${READ_APP}/${readTokenOf(streamId)}`;

  const refuse = (session: NmsSession, code: string, reason: string) => {
    session.rtmp.sendStatusMessage(session.rtmp.streamId, "error", code, reason);
    session.socket.end();
  };

  const holdPublish = (session: NmsSession, streamName: string) => {
    const rtmp = session.rtmp;
    rtmp.streamId = rtmp.parserPacket.header.stream_id;
    const streamKey = streamName.split("?")[0] ?? "";
    if (rtmp.streamApp === RELAY_APP) {
      const relay = relays.get(streamKey);
      relays.delete(streamKey);
      const local = (session.socket.remoteAddress ?? "").replace(/^::ffff:/, "") === localHost;
      if (relay === undefined || !local) refuse(session, "NetStream.Publish.BadName", "No such relay.");
      else startPublish(relay.attemptId, session, relay.streamId);
      return;
    }
    if (!rtmpPublic) {
      refuse(session, "NetStream.Publish.BadName", "RTMP ingest is not available here.");
      return;
    }
    if (rtmp.streamApp !== PUBLISH_APP || streamKey === "" || session.isPublisher || events === null) {
      refuse(session, "NetStream.Publish.BadName", "Publish to /live/{stream key}.");
      return;
    }
    const attemptId = randomUUID();
    const timer = setTimeout(() => {
      if (pending.delete(attemptId)) refuse(session, "NetStream.Publish.Failed", "No answer in time.");
    }, decisionTimeoutMs);
    timer.unref();
    pending.set(attemptId, { session, timer });
    session.socket.once("close", () => {
      const held = pending.get(attemptId);
      if (held !== undefined) {
        clearTimeout(held.timer);
        pending.delete(attemptId);
      }
    });
    events.push({
      _tag: "PublishRequested",
      attemptId,
      protocol: "rtmp",
      streamKey,
      remoteAddress: session.socket.remoteAddress ?? "",
    });
  };

  const startPublish = (attemptId: string, session: NmsSession, streamId: string) => {
    const rtmp = session.rtmp;
    const current = nmsContext.broadcasts.get(`/${PUBLISH_APP}/${streamId}`);
    if (current?.getPublishStatus() === "publishing") {
      refuse(session, "NetStream.Publish.BadName", "The stream has a publisher already.");
      return;
    }
    rtmp.streamName = streamId;
    rtmp.streamQuery = {};
    rtmp.respondPublish();
    rtmp.onConnectCallback({ app: PUBLISH_APP, name: streamId, host: rtmp.streamHost, query: {} });
    // The host holds a dropped publisher's session; node-media-server's own hold would only delay it.
    session.broadcast.publishGraceMs = 0;
    rtmp.onPushCallback();
    if (!session.isPublisher) return;
    const meter = createStreamMeter(Date.now());
    publishing.set(streamId, { session, meter });
    session.socket.once("close", () => {
      // Its readers see the stream end, as with any ingest server; they read again on the next Publishing.
      for (const reader of session.broadcast.subscribers.values()) reader.socket.end();
      if (publishing.get(streamId)?.session !== session) return;
      publishing.delete(streamId);
      events?.push({ _tag: "PublisherLeft", streamId, reason: "The publisher's connection closed." });
    });
    events?.push({ _tag: "Publishing", attemptId, streamId, readUrl: readUrlOf(streamId) });
  };

  const startRead = (session: NmsSession, streamName: string) => {
    const rtmp = session.rtmp;
    rtmp.streamId = rtmp.parserPacket.header.stream_id;
    const streamId = readTokens.get(streamName.split("?")[0] ?? "");
    if (rtmp.streamApp !== READ_APP || streamId === undefined || !publishing.has(streamId)) {
      refuse(session, "NetStream.Play.StreamNotFound", "No such stream.");
      return;
    }
    rtmp.streamName = streamId;
    rtmp.streamQuery = {};
    rtmp.respondPlay();
    rtmp.onConnectCallback({ app: PUBLISH_APP, name: streamId, host: rtmp.streamHost, query: {} });
    rtmp.onPlayCallback();
  };

  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const session = createRtmpSession(socket);
    session.rtmp.onPublish = (message) => holdPublish(session, message.streamName);
    session.rtmp.onPlay = (message) => startRead(session, message.streamName);
    session.run();
    const passOn = session.rtmp.onPacketCallback;
    session.rtmp.onPacketCallback = (packet) => {
      const publish = session.isPublisher ? publishing.get(session.rtmp.streamName) : undefined;
      // Sent before the publish was allowed, or by a reader: goes nowhere.
      if (publish?.session !== session) return;
      publish.meter.count(packet);
      passOn(packet);
    };
    nmsContext.sessions.set(session.id, session);
  };

  const kick = (streamId: string) => {
    const broadcast = nmsContext.broadcasts.get(`/${PUBLISH_APP}/${streamId}`);
    publishing.get(streamId)?.session.socket.destroy();
    if (broadcast === undefined) return;
    broadcast.publisher?.socket.destroy();
    broadcast._finishPublish();
    for (const reader of broadcast.subscribers.values()) reader.socket.destroy();
  };

  const requestSrtPublish = (flow: { flowId: string; streamKey: string; remoteAddress: string }) =>
    new Promise<boolean>((answer) => {
      const attemptId = randomUUID();
      const timer = setTimeout(() => {
        if (srtPending.delete(attemptId)) answer(false);
      }, decisionTimeoutMs);
      timer.unref();
      srtPending.set(attemptId, {
        flowId: flow.flowId,
        answer: (allowed) => {
          clearTimeout(timer);
          answer(allowed);
        },
      });
      events?.push({
        _tag: "PublishRequested",
        attemptId,
        protocol: "srt",
        streamKey: flow.streamKey,
        remoteAddress: flow.remoteAddress,
      });
    });

  const startSrt = async (channel: EventChannel<EngineEvent>, config: IngestConfig & { srtPort: number }) => {
    try {
      srtRelay = await startSrtRelay({
        port: config.srtPort,
        host: config.listenHost,
        ffmpegPath: options.ffmpegPath ?? process.env.FFMPEG_PATH ?? "ffmpeg",
        publishUrlOf: (flowId) => `rtmp://${localHost}:${rtmpPort}/${RELAY_APP}/${flowId}`,
        requestPublish: requestSrtPublish,
        log: options.log ?? (() => {}),
      });
      if (channel.closed) {
        await srtRelay.close();
        return;
      }
      channel.push({
        _tag: "Listening",
        protocol: "srt",
        url: `srt://${config.publicHost}:${srtRelay.port}`,
      });
    } catch (error) {
      // RTMP serves on without it
      channel.push({
        _tag: "ListenerUnavailable",
        protocol: "srt",
        port: config.srtPort,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const stopServer = () => {
    for (const { timer } of pending.values()) clearTimeout(timer);
    pending.clear();
    for (const { answer } of srtPending.values()) answer(false);
    srtPending.clear();
    relays.clear();
    void srtRelay?.close();
    srtRelay = null;
    for (const streamId of [...publishing.keys()]) kick(streamId);
    for (const socket of sockets) socket.destroy();
    server?.close();
    server = null;
    rtmpPublic = true;
    events = null;
  };

  return {
    capabilities(): LiveCapabilities {
      return { protocols: ["rtmp", "srt"], localRead: true, viewers: false };
    },

    startIngest(config: IngestConfig): AsyncIterable<EngineEvent> {
      if (events !== null) throw new Error("This engine is already ingesting.");
      const channel = createEventChannel<EngineEvent>(stopServer);
      events = channel;
      const wildcard = config.listenHost === undefined || ["0.0.0.0", "::"].includes(config.listenHost);
      localHost = wildcard ? "127.0.0.1" : (config.listenHost ?? "127.0.0.1");
      const listening = (listener: Server) => {
        const address = listener.address();
        rtmpPort = typeof address === "object" && address !== null ? address.port : config.rtmpPort;
        if (rtmpPublic) {
          channel.push({
            _tag: "Listening",
            protocol: "rtmp",
            url: `rtmp://${config.publicHost}:${rtmpPort}/${PUBLISH_APP}`,
          });
        }
        if (config.srtPort !== null) void startSrt(channel, { ...config, srtPort: config.srtPort });
      };
      const failed = (error: Error) => {
        channel.push({ _tag: "IngestFailed", message: `RTMP: ${error.message}` });
        stopServer();
        channel.close();
      };
      const listener = createServer(accept);
      server = listener;
      listener.once("error", (error) => {
        if (listener.listening || channel.closed) return failed(error);
        // The RTMP port is taken (another ingest server on the machine): publishers cannot reach us on
        // it, but SRT relays and local readers still need an RTMP server, so one runs on loopback only.
        rtmpPublic = false;
        channel.push({
          _tag: "ListenerUnavailable",
          protocol: "rtmp",
          port: config.rtmpPort,
          message: error.message,
        });
        const internal = createServer(accept);
        server = internal;
        internal.once("error", failed);
        internal.listen(0, localHost, () => listening(internal));
      });
      listener.listen(config.rtmpPort, config.listenHost, () => listening(listener));
      return channel;
    },

    async decidePublish(attemptId: string, decision: PublishDecision): Promise<void> {
      const srt = srtPending.get(attemptId);
      if (srt !== undefined) {
        srtPending.delete(attemptId);
        const allowed = decision._tag === "PublishAllowed" && SAFE_NAME.test(decision.streamId);
        if (allowed) relays.set(srt.flowId, { attemptId, streamId: decision.streamId });
        srt.answer(allowed);
        return;
      }
      const held = pending.get(attemptId);
      if (held === undefined) return;
      pending.delete(attemptId);
      clearTimeout(held.timer);
      if (decision._tag === "PublishDenied") {
        refuse(held.session, "NetStream.Publish.BadName", decision.reason);
      } else if (!SAFE_NAME.test(decision.streamId)) {
        refuse(held.session, "NetStream.Publish.Failed", "The stream cannot be served here.");
      } else {
        startPublish(attemptId, held.session, decision.streamId);
      }
    },

    async *streamTelemetry(): AsyncIterable<TelemetryBatch> {
      while (events !== null && !events.closed) {
        await new Promise((resolve) => setTimeout(resolve, telemetryIntervalMs));
        const now = Date.now();
        const streams = [...publishing].map(([streamId, { session, meter }]) => ({
          streamId,
          ...meter.sample(now, { width: session.videoWidth, height: session.videoHeight }),
        }));
        yield { at: new Date(now).toISOString(), streams };
      }
    },

    async stopIngest(request: StopRequest): Promise<void> {
      kick(request.streamId);
    },
  };
}
