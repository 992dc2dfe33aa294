// The live pillar (the spec's LiveEngine service): an ingest server that takes RTMP/SRT publishers, lets
// its host decide each publish before any media is accepted, and reports what it receives. Plain data
// and async streams only, so an out-of-process host can carry every call: the engine never calls the
// host back; it yields a PublishRequested and waits for the host's `decidePublish` (the spec's
// OnPublishAttempt, turned around so that no callback crosses the boundary).

export type IngestProtocol = "rtmp" | "srt";

/** What the engine can serve, for GET /v1/plugins and for routing a stream to an engine. */
export interface LiveCapabilities {
  readonly protocols: readonly IngestProtocol[];
  /** Offers a local read URL per live stream (recorders, previews and restreams read it). */
  readonly localRead: boolean;
  /** Knows how many people watch a stream on it. */
  readonly viewers: boolean;
}

/** StartIngest: the listeners to open. */
export interface IngestConfig {
  /** RTMP port; 0 takes any free port. */
  readonly rtmpPort: number;
  /** SRT port (UDP), the key as the caller's `streamid`; 0 takes any free port, null opens none. */
  readonly srtPort: number | null;
  /** Publish URLs are handed out with this host name. */
  readonly publicHost: string;
  /** The address the listeners bind; all interfaces when absent. */
  readonly listenHost?: string;
}

/** How the ingest server is doing; StartIngest yields these until it stops. */
export type EngineEvent =
  | { readonly _tag: "Listening"; readonly protocol: IngestProtocol; readonly url: string }
  /**
   * A listener could not open (its port is taken, or not ours to bind); the others serve on. Every
   * protocol asked for ends in Listening or ListenerUnavailable.
   */
  | {
      readonly _tag: "ListenerUnavailable";
      readonly protocol: IngestProtocol;
      readonly port: number;
      readonly message: string;
    }
  /** Someone wants to publish: answer with `decidePublish(attemptId, …)`; nothing is accepted before. */
  | {
      readonly _tag: "PublishRequested";
      readonly attemptId: string;
      readonly protocol: IngestProtocol;
      /** The key the publisher presented (RTMP path, SRT streamid). Never logged whole. */
      readonly streamKey: string;
      readonly remoteAddress: string;
    }
  /** An allowed publisher's media flows; readers open `readUrl` (the same each time the stream is published). */
  | {
      readonly _tag: "Publishing";
      readonly attemptId: string;
      readonly streamId: string;
      readonly readUrl: string;
    }
  /** The publisher of a stream is gone (it left, it was kicked, its connection broke); reads of it end. */
  | { readonly _tag: "PublisherLeft"; readonly streamId: string; readonly reason: string }
  | { readonly _tag: "IngestStopped"; readonly reason: string }
  | { readonly _tag: "IngestFailed"; readonly message: string };

export type PublishDecision =
  | { readonly _tag: "PublishAllowed"; readonly streamId: string }
  | { readonly _tag: "PublishDenied"; readonly reason: string };

/** StreamTelemetry: figures per publishing stream, about once a second. */
export interface TelemetryBatch {
  /** ISO 8601 time of the sample. */
  readonly at: string;
  readonly streams: readonly StreamTelemetry[];
}

export interface StreamTelemetry {
  readonly streamId: string;
  /** Over the last sample period. */
  readonly videoBitrateKbps: number;
  readonly audioBitrateKbps: number;
  readonly fps: number;
  /** Seconds between the last two keyframes; null before the second. */
  readonly keyframeIntervalSeconds: number | null;
  /** Frames the engine received but did not pass on (RTMP carries no count of the publisher's own). */
  readonly droppedFrames: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly videoCodec: string | null;
  readonly audioCodec: string | null;
  /** Outside readers (not the engine's host's own); null where the engine cannot tell. */
  readonly viewers: number | null;
  readonly bytesReceived: number;
}

export interface StopRequest {
  /** Kick the publisher of one stream and close its readers. */
  readonly streamId: string;
  readonly reason: string;
}

export interface LiveEngine {
  capabilities(): LiveCapabilities;
  /** Runs the ingest server while the stream is read; stopping the reading stops the server. */
  startIngest(config: IngestConfig): AsyncIterable<EngineEvent>;
  /** The answer to a PublishRequested; an unanswered attempt is refused after a while. */
  decidePublish(attemptId: string, decision: PublishDecision): Promise<void>;
  streamTelemetry(): AsyncIterable<TelemetryBatch>;
  stopIngest(request: StopRequest): Promise<void>;
}
