// Live ingest in a platform process (`webencode up`, or a worker that takes publishers): the embedded
// engine on the configured ports, or MediaMTX when plugins.toml enables live-mediamtx; its host
// recording into job storage, and the stream events that end a live session (ended, key rotated,
// deleted) turned into kicks. A port that is taken costs only its own protocol: it is logged
// (WE-STR-006) and shown on /ready, and the platform serves on.
import { join } from "node:path";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { IngestUrls } from "../../domain/ports/ingestUrls.ts";
import type { LiveSessions, LiveTelemetryTick } from "../../domain/ports/liveSessions.ts";
import { createEmbeddedEngine } from "../../plugins/live-embedded/index.ts";
import {
  createMediamtxEngine,
  type MediamtxPluginConfig,
  mediamtxPluginConfig,
} from "../../plugins/live-mediamtx/index.ts";
import type { IngestConfig, LiveEngine } from "../../plugins/sdk/liveEngine.ts";
import type { PluginRecord } from "../../plugins/sdk/loadPlugins.ts";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { liveStream } from "../../schemas/events/streamNames.ts";
import {
  type LiveIngestHost,
  startLiveIngestHost,
  streamClosingEvents,
} from "../../workers/live/liveIngestHost.ts";
import type { ReadinessCheck } from "../http/healthRoutes.ts";
import { loadInstalledPlugins, pluginsConfigFile } from "../plugins/loadInstalledPlugins.ts";
import { liveIngestUrls } from "./liveIngestUrls.ts";
import type { PlatformConfig } from "./platformConfig.ts";
import { type Log, VERSION } from "./startKernel.ts";

/** A protocol whose listener could not open, as the log and /ready report it. */
export interface IngestUnavailable {
  readonly code: "WE-STR-006";
  readonly port: number;
  readonly message: string;
  readonly hint: string;
}

export interface LiveIngest {
  /** Publish URLs by protocol (`rtmp://host:1935/live`, `srt://host:10080`), of the listeners open. */
  readonly urls: Readonly<Record<string, string>>;
  /** The protocols asked for whose listener could not open. */
  readonly unavailable: Readonly<Record<string, IngestUnavailable>>;
  /** What the stream API hands out per stream key: the open listeners' URLs, in the engine's form. */
  readonly ingestUrls: IngestUrls;
  readonly host: LiveIngestHost;
  stop(): Promise<void>;
}

export interface LiveDependencies {
  readonly store: EventStore;
  readonly sessions: LiveSessions;
  /** Job storage: segments, preview playlists and recordings go there. */
  readonly storage: StorageProvider;
  /** The progress bus's live telemetry. */
  readonly publishTelemetry: (tick: LiveTelemetryTick) => void;
  /** Players of a stream's preview that this process serves. */
  readonly viewersOf?: (streamId: string) => number;
  readonly log: Log;
}

const closingReasons: Record<(typeof streamClosingEvents)[number], string> = {
  StreamEndRequested: "The stream was ended.",
  StreamKeyRotated: "The stream key was rotated.",
  StreamDeleted: "The stream was deleted.",
};

interface ChosenEngine {
  readonly engine: LiveEngine;
  readonly ingest: IngestConfig;
  readonly srtStreamId?: (streamKey: string) => string;
}

/**
 * live-mediamtx when plugins.toml enables it, else the embedded engine. An enabled live-mediamtx whose
 * config its schema refuses stops the start (WE-PLG-003 naming the file and the field).
 */
function chooseLiveEngine(
  plugins: readonly PluginRecord[],
  config: PlatformConfig,
  options: { readonly ffmpegPath: string; readonly log: Log },
): ChosenEngine {
  const mediamtx = plugins.find((plugin) => plugin.id === "live-mediamtx");
  if (mediamtx?.state === "failed") throw new Error(`${mediamtx.error.code} ${mediamtx.error.message}`);
  if (mediamtx?.state === "loaded") {
    let chosen: MediamtxPluginConfig;
    try {
      chosen = mediamtxPluginConfig(mediamtx.config, {
        listenHost: config.host,
        publicHost: config.live.publicHost,
      });
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      throw new Error(`WE-PLG-003 ${pluginsConfigFile(config)}: live-mediamtx.config.${problem}`);
    }
    return {
      engine: createMediamtxEngine({ ...chosen.engine, log: options.log }),
      ingest: chosen.ingest,
      srtStreamId: (streamKey) => `publish:live/${streamKey}`,
    };
  }
  return {
    engine: createEmbeddedEngine(options),
    ingest: {
      rtmpPort: config.live.rtmpPort,
      srtPort: config.live.srtPort,
      publicHost: config.live.publicHost,
      listenHost: config.host,
    },
  };
}

export async function startLive(config: PlatformConfig, deps: LiveDependencies): Promise<LiveIngest> {
  const ffmpegPath = process.env.FFMPEG_PATH ?? "ffmpeg";
  const plugins = await loadInstalledPlugins(config, VERSION);
  const { engine, ingest, srtStreamId } = chooseLiveEngine(plugins, config, { ffmpegPath, log: deps.log });
  const host = startLiveIngestHost({
    engine,
    sessions: deps.sessions,
    storage: deps.storage,
    publishTelemetry: deps.publishTelemetry,
    ...(deps.viewersOf === undefined ? {} : { viewersOf: deps.viewersOf }),
    ingest,
    reconnectWindowMs: config.live.reconnectWindowMs,
    scratchDir: join(config.stateDir, "live"),
    ffmpegPath,
    ffprobePath: process.env.FFPROBE_PATH ?? "ffprobe",
    log: deps.log,
  });
  let urls: Readonly<Record<string, string>>;
  try {
    urls = await host.listening;
  } catch (error) {
    await host.stop();
    throw error;
  }
  const unavailable = Object.fromEntries(
    Object.entries(host.unavailable).map(([protocol, { port, message }]) => {
      const problem = ingestUnavailable(protocol, port, message);
      deps.log(
        `live: ${problem.code} ${protocol.toUpperCase()} ingest unavailable: ${message}. ${problem.hint}`,
      );
      return [protocol, problem];
    }),
  );

  const stopping = new AbortController();
  const subscription = deps.store.subscribeToAll({
    from: "end",
    filter: { eventTypes: streamClosingEvents, streamPrefixes: [liveStream.prefix] },
    signal: stopping.signal,
  });
  const reactions = (async () => {
    try {
      for await (const message of subscription) {
        if (message.type !== "event") continue;
        const type = message.event.type as keyof typeof closingReasons;
        const reason = closingReasons[type];
        if (reason === undefined || !liveStream.matches(message.event.streamId)) continue;
        await host.endStream(liveStream.idOf(message.event.streamId), reason);
      }
    } catch (error) {
      if (!stopping.signal.aborted) deps.log(`live: stream events stopped: ${String(error)}`);
    }
  })();

  return {
    urls,
    unavailable,
    ingestUrls: liveIngestUrls(urls, srtStreamId),
    host,
    async stop() {
      stopping.abort();
      await subscription.close();
      await reactions;
      await host.stop();
    },
  };
}

function ingestUnavailable(protocol: string, port: number, message: string): IngestUnavailable {
  const hint =
    protocol === "srt"
      ? `UDP port ${port} is in use: free it, set WEBENCODE_SRT_PORT to a free port, or WEBENCODE_SRT_PORT=off to run without SRT.`
      : `TCP port ${port} is in use (another RTMP server?): free it or set WEBENCODE_RTMP_PORT to a free port.`;
  return {
    code: "WE-STR-006",
    port,
    message: `${protocol.toUpperCase()} ingest is not listening: ${message}`,
    hint: `${hint} Everything else runs without it.`,
  };
}

/**
 * /ready's view of the live ingest: degraded (not failed: VOD, the API and the dashboard serve on, so a
 * load balancer keeps the process) while a protocol's listener is down, or before the ingest started.
 */
export function liveIngestReadiness(live: () => LiveIngest | undefined): ReadinessCheck {
  return async () => {
    const ingest = live();
    if (ingest === undefined) return { ok: true, degraded: true, detail: { status: "starting" } };
    const degraded = Object.keys(ingest.unavailable).length > 0;
    return {
      ok: true,
      ...(degraded ? { degraded: true } : {}),
      detail: {
        status: degraded ? "degraded" : "listening",
        listening: ingest.urls,
        ...(degraded ? { unavailable: ingest.unavailable } : {}),
      },
    };
  };
}
