// Between the live ingest (an engine and its host, in a worker process) and the stream aggregate (the
// command side): the host asks whether a publisher may publish and tells how its session went; the
// command side answers from the log. Plain data only, so either side can sit in another process.

export type LiveProtocol = "rtmp" | "srt";

export interface PublishAttempt {
  readonly protocol: LiveProtocol;
  /** The key the publisher presented (RTMP path, SRT streamid or passphrase). Never logged whole. */
  readonly streamKey: string;
  readonly remoteAddress: string;
}

export type PublishVerdict =
  | {
      readonly _tag: "Allowed";
      readonly streamId: string;
      /** A new session, or the one whose publisher dropped less than the reconnect window ago. */
      readonly sessionId: string;
      readonly resumed: boolean;
      /** Record this session (the stream has archive on). */
      readonly record: boolean;
    }
  | {
      readonly _tag: "Denied";
      /** WE-STR-002 unknown or rotated key, WE-STR-003 another publisher is live on this key. */
      readonly code: string;
      readonly reason: string;
    };

/** What a session left in storage, once its recording is closed. */
export interface SessionRecording {
  /** The whole session as one file in job storage, the source of the archive's VOD job. */
  readonly objectKey: string;
  readonly durationSeconds: number;
  readonly bytes: number;
  /** Segments written while live (each stored as it closed). */
  readonly segments: number;
}

/** A session the log holds open: live, or waiting for its publisher within the reconnect window. */
export interface OpenLiveSession {
  readonly streamId: string;
  readonly sessionId: string;
  readonly status: "live" | "reconnecting";
  /** ISO times: the session's start, and its publisher's drop (null while live). */
  readonly startedAt: string;
  readonly interruptedAt: string | null;
  /** The stream was asked to end: nobody may resume it. */
  readonly endRequested: boolean;
  readonly record: boolean;
}

export interface LiveSessions {
  /**
   * The sessions the log holds open. An ingest starting after a crash takes them over: they wait for
   * their publishers within the window, or end with what was recorded.
   */
  openSessions(): Promise<readonly OpenLiveSession[]>;
  /** Before any media is accepted: a wrong, rotated or busy key is refused. */
  admit(attempt: PublishAttempt): Promise<PublishVerdict>;
  /**
   * The publisher of a session dropped: the stream waits for it during the reconnect window. `at` (ISO)
   * when the drop is told late (a crashed ingest's, found by the next run); now otherwise.
   */
  interrupted(streamId: string, sessionId: string, reason: string, at?: string): Promise<void>;
  /** The session is over (window passed, or the stream was ended); its recording is stored. */
  ended(
    streamId: string,
    sessionId: string,
    outcome: { readonly reason: string; readonly recording: SessionRecording | null },
  ): Promise<void>;
}

/** Figures of one live stream, about once a second, on the progress bus; never stored as events. */
export interface LiveTelemetryTick {
  readonly streamId: string;
  readonly sessionId: string;
  /** ISO time of the sample. */
  readonly at: string;
  readonly videoBitrateKbps: number;
  readonly audioBitrateKbps: number;
  readonly fps: number;
  /** Seconds between the last two keyframes; null before the second. */
  readonly keyframeIntervalSeconds: number | null;
  readonly droppedFrames: number;
  readonly uptimeSeconds: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly videoCodec: string | null;
  readonly audioCodec: string | null;
  /** Viewers of the preview where the engine knows them; null where it does not. */
  readonly viewers: number | null;
}
