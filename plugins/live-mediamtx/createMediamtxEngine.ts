// live-mediamtx: MediaMTX takes the publishers (production ingest: RTMP, SRT and more) and asks this
// engine about each through its HTTP auth hook; the engine follows MediaMTX's paths through its API
// (publishing, gone, bytes received, readers) and kicks a publisher through it.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createEventChannel, type EventChannel } from "../sdk/eventChannel.ts";
import type {
  EngineEvent,
  IngestConfig,
  LiveCapabilities,
  LiveEngine,
  PublishDecision,
  StopRequest,
  StreamTelemetry,
  TelemetryBatch,
} from "../sdk/liveEngine.ts";
import { mediamtxAccess } from "./mediamtxAuthRequest.ts";
import { codecsOf, kickPathOf, type MediamtxPath, mediamtxPaths } from "./mediamtxPaths.ts";

export interface MediamtxEngineOptions {
  /** MediaMTX's API, e.g. http://mediamtx:9997. */
  readonly apiUrl: string;
  /** Where this engine serves MediaMTX's auth hook (MediaMTX's authHTTPAddress points here). */
  readonly authHookPort: number;
  readonly authHookHost?: string;
  /** The host name local readers reach MediaMTX by. */
  readonly readHost: string;
  readonly pollMs?: number;
  readonly decisionTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface MediamtxEngine extends LiveEngine {
  /** The auth hook's address once listening (for MediaMTX's authHTTPAddress). */
  authHookUrl(): string | null;
}

interface Followed {
  readonly attemptId: string;
  readonly streamId: string;
  announced: boolean;
  bytes: number;
  sampledAtMs: number;
  startedAtMs: number;
  telemetry: StreamTelemetry | null;
}

const readBody = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return null;
  }
};

export function createMediamtxEngine(options: MediamtxEngineOptions): MediamtxEngine {
  const log = options.log ?? (() => {});
  const pollMs = options.pollMs ?? 1000;
  const decisionTimeoutMs = options.decisionTimeoutMs ?? 10_000;
  // Readers (recorders, restreams) prove themselves to the hook with this; it never leaves the process.
  const reader = { user: "webencode-reader", password: randomBytes(24).toString("hex") };
  const pending = new Map<string, { path: string; answer: (streamId: string | null) => void }>();
  const followed = new Map<string, Followed>();
  let events: EventChannel<EngineEvent> | null = null;
  let server: Server | null = null;
  let poller: NodeJS.Timeout | null = null;
  let rtmpPort = 1935;
  let paths: readonly MediamtxPath[] = [];

  const askHost = (access: {
    protocol: "rtmp" | "srt";
    streamKey: string;
    remoteAddress: string;
    path: string;
  }) =>
    new Promise<string | null>((answer) => {
      const attemptId = randomUUID();
      const timer = setTimeout(() => {
        if (pending.delete(attemptId)) answer(null);
      }, decisionTimeoutMs);
      pending.set(attemptId, {
        path: access.path,
        answer: (streamId) => {
          clearTimeout(timer);
          if (streamId !== null) {
            followed.set(access.path, {
              attemptId,
              streamId,
              announced: false,
              bytes: 0,
              sampledAtMs: Date.now(),
              startedAtMs: Date.now(),
              telemetry: null,
            });
          }
          answer(streamId);
        },
      });
      events?.push({
        _tag: "PublishRequested",
        attemptId,
        protocol: access.protocol,
        streamKey: access.streamKey,
        remoteAddress: access.remoteAddress,
      });
    });

  const authorize = async (body: unknown): Promise<boolean> => {
    const access = mediamtxAccess(body);
    if (access._tag === "Read") {
      return access.user === reader.user && access.password === reader.password && followed.has(access.path);
    }
    if (access._tag === "Other") return false;
    const current = followed.get(access.path);
    if (current?.announced) return false;
    return (await askHost(access)) !== null;
  };

  const poll = async () => {
    try {
      const response = await fetch(new URL("/v3/paths/list?itemsPerPage=1000", options.apiUrl));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      paths = mediamtxPaths(await response.json());
    } catch (error) {
      log(`mediamtx: paths not read: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const now = Date.now();
    for (const [path, stream] of followed) {
      const state = paths.find((candidate) => candidate.name === path);
      const live = state?.ready === true && state.source !== null;
      if (live && !stream.announced) {
        stream.announced = true;
        stream.bytes = state.bytesReceived;
        stream.sampledAtMs = now;
        events?.push({
          _tag: "Publishing",
          attemptId: stream.attemptId,
          streamId: stream.streamId,
          readUrl: `rtmp://${options.readHost}:${rtmpPort}/${path}?user=${reader.user}&pass=${reader.password}`,
        });
      } else if (live) {
        const seconds = Math.max(0.001, (now - stream.sampledAtMs) / 1000);
        const codecs = codecsOf(state.tracks);
        stream.telemetry = {
          streamId: stream.streamId,
          // MediaMTX counts bytes per path, not per track: the whole bitrate is given as the video's.
          videoBitrateKbps: Math.round(((state.bytesReceived - stream.bytes) * 8) / 1000 / seconds),
          audioBitrateKbps: 0,
          fps: 0,
          keyframeIntervalSeconds: null,
          droppedFrames: 0,
          width: null,
          height: null,
          videoCodec: codecs.video,
          audioCodec: codecs.audio,
          // Our own readers (recorder, restreams) are not viewers.
          viewers: null,
          bytesReceived: state.bytesReceived,
        };
        stream.bytes = state.bytesReceived;
        stream.sampledAtMs = now;
      } else if (stream.announced || now - stream.startedAtMs > decisionTimeoutMs * 3) {
        followed.delete(path);
        if (stream.announced) {
          events?.push({
            _tag: "PublisherLeft",
            streamId: stream.streamId,
            reason: "MediaMTX lost the publisher.",
          });
        }
      }
    }
  };

  const stopServer = () => {
    for (const { answer } of pending.values()) answer(null);
    pending.clear();
    if (poller !== null) clearInterval(poller);
    poller = null;
    server?.close();
    server = null;
    events = null;
  };

  return {
    authHookUrl() {
      const address = server?.address();
      return typeof address === "object" && address !== null
        ? `http://${options.authHookHost ?? "127.0.0.1"}:${address.port}/auth`
        : null;
    },

    capabilities(): LiveCapabilities {
      return { protocols: ["rtmp", "srt"], localRead: true, viewers: false };
    },

    startIngest(config: IngestConfig): AsyncIterable<EngineEvent> {
      if (events !== null) throw new Error("This engine is already ingesting.");
      const channel = createEventChannel<EngineEvent>(stopServer);
      events = channel;
      rtmpPort = config.rtmpPort === 0 ? 1935 : config.rtmpPort;
      const hook = createServer((request, response) => {
        if (request.method !== "POST") {
          response.writeHead(405).end();
          return;
        }
        readBody(request)
          .then(authorize)
          .catch(() => false)
          .then((allowed) => response.writeHead(allowed ? 200 : 401).end());
      });
      server = hook;
      hook.once("error", (error) => {
        channel.push({ _tag: "IngestFailed", message: `auth hook: ${error.message}` });
        stopServer();
        channel.close();
      });
      hook.listen(options.authHookPort, options.authHookHost ?? "127.0.0.1", () => {
        channel.push({
          _tag: "Listening",
          protocol: "rtmp",
          url: `rtmp://${config.publicHost}:${rtmpPort}/live`,
        });
        if (config.srtPort !== null) {
          const srtPort = config.srtPort === 0 ? 8890 : config.srtPort;
          channel.push({ _tag: "Listening", protocol: "srt", url: `srt://${config.publicHost}:${srtPort}` });
        }
        poller = setInterval(() => void poll(), pollMs);
      });
      return channel;
    },

    async decidePublish(attemptId: string, decision: PublishDecision): Promise<void> {
      const held = pending.get(attemptId);
      if (held === undefined) return;
      pending.delete(attemptId);
      held.answer(decision._tag === "PublishAllowed" ? decision.streamId : null);
    },

    async *streamTelemetry(): AsyncIterable<TelemetryBatch> {
      while (events !== null && !events.closed) {
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        const streams = [...followed.values()].flatMap((stream) =>
          stream.announced && stream.telemetry !== null ? [stream.telemetry] : [],
        );
        yield { at: new Date().toISOString(), streams };
      }
    },

    async stopIngest(request: StopRequest): Promise<void> {
      for (const [path, stream] of followed) {
        if (stream.streamId !== request.streamId) continue;
        const source = paths.find((candidate) => candidate.name === path)?.source;
        const kick = source ? kickPathOf(source) : null;
        if (kick !== null) {
          const response = await fetch(new URL(kick, options.apiUrl), { method: "POST" }).catch(() => null);
          if (!response?.ok) log(`mediamtx: kicking the publisher of ${request.streamId} failed`);
        }
      }
    },
  };
}
