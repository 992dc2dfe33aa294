// Runs a live engine for the platform: asks the stream aggregate about each publisher before any media
// is accepted, records and meters each live stream, and holds a dropped publisher's session open for the
// reconnect window; when the window passes or the stream is ended, the session's recording is closed
// and handed over. Everything it starts is stopped with it. At start it takes over the sessions an
// earlier run left open (it crashed): each waits for its publisher for the window, counted from its drop
// or from now for one that was live, and continues its recording after the segments stored; one that
// nobody resumes ends with what was stored. Doing it again after another crash finds the same state.
import { join } from "node:path";
import type { LiveSessions, LiveTelemetryTick, OpenLiveSession } from "../../domain/ports/liveSessions.ts";
import { recordingKeys } from "../../domain/stream/recordingKeys.ts";
import type { EngineEvent, IngestConfig, LiveEngine } from "../../plugins/sdk/liveEngine.ts";
import { createLiveRecording, type LiveRecording } from "../../plugins/sdk/liveRecording.ts";
import { isStorageFailure, type StorageProvider } from "../../plugins/sdk/storageProvider.ts";

export interface LiveIngestHostOptions {
  readonly engine: LiveEngine;
  readonly sessions: LiveSessions;
  readonly storage: StorageProvider;
  readonly publishTelemetry: (tick: LiveTelemetryTick) => void;
  /**
   * Players of a stream's preview (the kernel serves it): added to the viewers the engine reports of its
   * own, and the viewers are known (0, not null) once given.
   */
  readonly viewersOf?: (streamId: string) => number;
  readonly ingest: IngestConfig;
  readonly reconnectWindowMs: number;
  /** Where recordings are cut into segments before they are stored. */
  readonly scratchDir: string;
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

export interface LiveIngestHost {
  /**
   * Resolves with the publish URL of each protocol whose listener opened, once every listener opened or
   * could not (see `unavailable`); rejects when the engine could not start at all.
   */
  readonly listening: Promise<Readonly<Record<string, string>>>;
  /** The listeners that could not open, by protocol: the port asked for and why. */
  readonly unavailable: Readonly<Record<string, UnavailableListener>>;
  /** Where a local reader (a restream) reads a live stream; null when it is not live here. */
  readUrlOf(streamId: string): string | null;
  /** The session of a live or waiting stream, if any. */
  sessionOf(streamId: string): { readonly sessionId: string; readonly publishing: boolean } | null;
  /** The stream was ended, its key rotated or the stream deleted: kick its publisher, close its session. */
  endStream(streamId: string, reason: string): Promise<void>;
  /** Recorder processes running now. */
  readonly recorderPids: readonly number[];
  stop(): Promise<void>;
}

export interface UnavailableListener {
  readonly port: number;
  readonly message: string;
}

interface HostedSession {
  readonly streamId: string;
  readonly sessionId: string;
  readonly startedAtMs: number;
  readonly recording: LiveRecording | null;
  publishing: boolean;
  readUrl: string | null;
  window: NodeJS.Timeout | null;
  ending: Promise<void> | null;
}

/** The stream events after which a live stream's publisher must go (see the stream aggregate). */
export const streamClosingEvents = ["StreamEndRequested", "StreamKeyRotated", "StreamDeleted"] as const;

export function startLiveIngestHost(options: LiveIngestHostOptions): LiveIngestHost {
  const { engine, sessions, log } = options;
  const now = options.now ?? Date.now;
  const hosted = new Map<string, HostedSession>();
  let stopped = false;
  let resolveListening: (urls: Record<string, string>) => void = () => {};
  let rejectListening: (error: Error) => void = () => {};
  const listening = new Promise<Readonly<Record<string, string>>>((resolve, reject) => {
    resolveListening = resolve;
    rejectListening = reject;
  });
  listening.catch(() => {});
  const urls: Record<string, string> = {};
  const unavailable: Record<string, UnavailableListener> = {};
  const settled = () => {
    if (Object.keys(urls).length + Object.keys(unavailable).length >= expectedListeners)
      resolveListening({ ...urls });
  };
  const expectedListeners = engine
    .capabilities()
    .protocols.filter((protocol) => protocol === "rtmp" || options.ingest.srtPort !== null).length;

  const endSession = (session: HostedSession, reason: string): Promise<void> => {
    session.ending ??= (async () => {
      if (session.window !== null) clearTimeout(session.window);
      await engine.stopIngest({ streamId: session.streamId, reason });
      let recording = null;
      try {
        recording = (await session.recording?.close()) ?? null;
      } catch (error) {
        log(`live: closing the recording of stream ${session.streamId} failed: ${String(error)}`);
      }
      if (hosted.get(session.streamId) === session) hosted.delete(session.streamId);
      await sessions.ended(session.streamId, session.sessionId, { reason, recording });
    })();
    return session.ending;
  };

  const startWindow = (session: HostedSession, ms = options.reconnectWindowMs) => {
    session.window = setTimeout(
      () => void endSession(session, "The publisher did not come back within the reconnect window."),
      Math.max(0, ms),
    );
  };

  const recordingOf = (streamId: string, sessionId: string, continueStored: boolean) =>
    createLiveRecording({
      storage: options.storage,
      keys: recordingKeys(streamId, sessionId),
      scratchDir: join(options.scratchDir, streamId, sessionId),
      ffmpegPath: options.ffmpegPath,
      ffprobePath: options.ffprobePath,
      log,
      continueStored,
    });

  /** When a session live at a crash was last heard of: its playlist's last store; now if unknown. */
  const lastRecordedAt = async (open: OpenLiveSession): Promise<number> => {
    if (!open.record) return now();
    const stored = await options.storage.head({ key: recordingKeys(open.streamId, open.sessionId).playlist });
    const at = isStorageFailure(stored) ? Number.NaN : Date.parse(stored.modifiedAt);
    return Number.isFinite(at) ? Math.min(now(), Math.max(Date.parse(open.startedAt), at)) : now();
  };

  const takeOverOne = async (open: OpenLiveSession) => {
    if (hosted.has(open.streamId) || stopped) return;
    const session: HostedSession = {
      streamId: open.streamId,
      sessionId: open.sessionId,
      startedAtMs: Date.parse(open.startedAt),
      recording: open.record ? recordingOf(open.streamId, open.sessionId, true) : null,
      publishing: false,
      readUrl: null,
      window: null,
      ending: null,
    };
    hosted.set(open.streamId, session);
    log(`live: took over session ${open.sessionId} of stream ${open.streamId} (${open.status})`);
    if (open.endRequested) {
      await endSession(session, "The stream was ended.");
      return;
    }
    let droppedAtMs = open.interruptedAt === null ? now() : Date.parse(open.interruptedAt);
    if (open.status === "live") {
      // its publisher went with the crashed run, about when that run last stored a segment
      droppedAtMs = await lastRecordedAt(open);
      await sessions.interrupted(
        open.streamId,
        open.sessionId,
        "The live ingest stopped unexpectedly.",
        new Date(droppedAtMs).toISOString(),
      );
    }
    startWindow(session, droppedAtMs + options.reconnectWindowMs - now());
  };

  const takeOver = (async () => {
    let open: readonly OpenLiveSession[];
    try {
      open = await sessions.openSessions();
    } catch (error) {
      log(`live: the sessions left open could not be read: ${String(error)}`);
      return;
    }
    await Promise.all(
      open.map((session) =>
        takeOverOne(session).catch((error: unknown) =>
          log(`live: taking over session ${session.sessionId} failed: ${String(error)}`),
        ),
      ),
    );
  })();

  const decide = async (event: Extract<EngineEvent, { _tag: "PublishRequested" }>) => {
    const deny = (reason: string) => engine.decidePublish(event.attemptId, { _tag: "PublishDenied", reason });
    let verdict: Awaited<ReturnType<LiveSessions["admit"]>>;
    await takeOver;
    try {
      verdict = await sessions.admit({
        protocol: event.protocol,
        streamKey: event.streamKey,
        remoteAddress: event.remoteAddress,
      });
    } catch (error) {
      log(`live: a publish attempt could not be checked: ${String(error)}`);
      return deny("The platform cannot check stream keys now.");
    }
    if (verdict._tag === "Denied") return deny(verdict.reason);
    const current = hosted.get(verdict.streamId);
    if (current?.publishing) return deny("The stream has a publisher already.");
    if (current !== undefined && current.sessionId !== verdict.sessionId) {
      await endSession(current, "A new session began.");
    }
    if (current === undefined || current.sessionId !== verdict.sessionId || current.ending !== null) {
      hosted.set(verdict.streamId, {
        streamId: verdict.streamId,
        sessionId: verdict.sessionId,
        startedAtMs: now(),
        // a session resumed that this run does not hold was recorded by an earlier one
        recording: verdict.record
          ? recordingOf(verdict.streamId, verdict.sessionId, verdict.resumed && current === undefined)
          : null,
        publishing: false,
        readUrl: null,
        window: null,
        ending: null,
      });
    }
    const session = hosted.get(verdict.streamId);
    // A publisher allowed but gone before its media flowed is a drop like any other.
    if (session !== undefined && session.window === null) startWindow(session);
    await engine.decidePublish(event.attemptId, { _tag: "PublishAllowed", streamId: verdict.streamId });
  };

  const onPublishing = (event: Extract<EngineEvent, { _tag: "Publishing" }>) => {
    const session = hosted.get(event.streamId);
    if (session === undefined || session.ending !== null) return;
    if (session.window !== null) clearTimeout(session.window);
    session.window = null;
    session.publishing = true;
    session.readUrl = event.readUrl;
    session.recording?.startPart(event.readUrl);
  };

  const onPublisherLeft = async (event: Extract<EngineEvent, { _tag: "PublisherLeft" }>) => {
    const session = hosted.get(event.streamId);
    if (session === undefined || session.ending !== null || !session.publishing) return;
    session.publishing = false;
    startWindow(session);
    await session.recording?.endPart();
    await sessions.interrupted(session.streamId, session.sessionId, event.reason);
  };

  const handle = async (event: EngineEvent) => {
    switch (event._tag) {
      case "Listening":
        urls[event.protocol] = event.url;
        return settled();
      case "ListenerUnavailable":
        unavailable[event.protocol] = { port: event.port, message: event.message };
        return settled();
      case "PublishRequested":
        return decide(event);
      case "Publishing":
        return onPublishing(event);
      case "PublisherLeft":
        return onPublisherLeft(event);
      case "IngestFailed":
        log(`live: ingest failed: ${event.message}`);
        rejectListening(new Error(event.message));
        return;
      case "IngestStopped":
        return;
    }
  };

  const engineEvents = engine.startIngest(options.ingest)[Symbol.asyncIterator]();
  const eventLoop = (async () => {
    for (;;) {
      const next = await engineEvents.next();
      if (next.done) break;
      // Attempts are decided in parallel (a slow check holds no one else); the rest in order.
      const handled = handle(next.value).catch((error: unknown) => log(`live: ${String(error)}`));
      if (next.value._tag !== "PublishRequested") await handled;
    }
    rejectListening(new Error("The live engine stopped."));
  })();

  const telemetry = engine.streamTelemetry()[Symbol.asyncIterator]();
  const telemetryLoop = (async () => {
    for (;;) {
      const next = await telemetry.next();
      if (next.done || stopped) break;
      for (const figures of next.value.streams) {
        const session = hosted.get(figures.streamId);
        if (session === undefined || !session.publishing) continue;
        const { streamId: _, bytesReceived: __, ...rest } = figures;
        const previewViewers = options.viewersOf?.(session.streamId);
        options.publishTelemetry({
          ...rest,
          viewers: previewViewers === undefined ? rest.viewers : (rest.viewers ?? 0) + previewViewers,
          streamId: session.streamId,
          sessionId: session.sessionId,
          at: next.value.at,
          uptimeSeconds: Math.round((now() - session.startedAtMs) / 1000),
        });
      }
    }
  })();

  return {
    listening,
    unavailable,
    readUrlOf: (streamId) => {
      const session = hosted.get(streamId);
      return session?.publishing ? session.readUrl : null;
    },
    sessionOf: (streamId) => {
      const session = hosted.get(streamId);
      return session === undefined ? null : { sessionId: session.sessionId, publishing: session.publishing };
    },
    endStream: async (streamId, reason) => {
      const session = hosted.get(streamId);
      if (session !== undefined) await endSession(session, reason);
    },
    get recorderPids() {
      return [...hosted.values()].flatMap((session) => session.recording?.pids ?? []);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await takeOver;
      await Promise.all(
        [...hosted.values()].map((session) => endSession(session, "The live ingest stopped.")),
      );
      await engineEvents.return?.();
      await telemetry.return?.();
      await Promise.all([eventLoop, telemetryLoop]);
    },
  };
}
