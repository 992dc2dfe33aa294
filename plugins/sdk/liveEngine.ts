// The live pillar (the spec's LiveEngine service): an ingest server that takes RTMP/SRT/WebRTC
// publishers, asks the kernel whether each may publish, and reports what it receives. Plain data
// and async streams only, so an out-of-process host can carry every call; a reader that stops
// reading a stream ends it (no callbacks, no signals cross the boundary).

export type IngestProtocol = "rtmp" | "srt" | "webrtc";

/** What the engine can serve, for GET /v1/plugins and for routing a stream to an engine. */
export interface LiveCapabilities {
  readonly protocols: readonly IngestProtocol[];
  /** Can write what it receives to storage as it goes (recording to VOD). */
  readonly recording: boolean;
  /** Can serve HLS playback of what it receives. */
  readonly playback: boolean;
}

/** StartIngest: listen for one protocol on one port. */
export interface IngestConfig {
  readonly protocol: IngestProtocol;
  /** The port to listen on, or null for the protocol's usual one (1935 RTMP, 10080 SRT). */
  readonly port: number | null;
  /** Publish URLs are handed out with this host name. */
  readonly publicHost: string;
}

/** How the ingest server is doing; StartIngest streams these until it stops. */
export type EngineStatus =
  | { readonly _tag: "Listening"; readonly protocol: IngestProtocol; readonly url: string }
  | { readonly _tag: "PublisherConnected"; readonly streamKey: string; readonly remoteAddress: string }
  | { readonly _tag: "PublisherDisconnected"; readonly streamKey: string; readonly reason: string }
  | { readonly _tag: "IngestStopped"; readonly reason: string }
  | { readonly _tag: "IngestFailed"; readonly message: string };

/** OnPublishAttempt: someone connects and wants to publish; the kernel decides. */
export interface StreamContext {
  readonly protocol: IngestProtocol;
  /** The key the publisher presented (an RTMP path, an SRT streamid). Never logged whole. */
  readonly streamKey: string;
  readonly remoteAddress: string;
  /** Query parameters of the publish URL, e.g. a signed token. */
  readonly query: Readonly<Record<string, string>>;
}

export type PublishDecision =
  | { readonly _tag: "PublishAllowed"; readonly streamId: string; readonly record: boolean }
  | { readonly _tag: "PublishDenied"; readonly reason: string };

/** StreamTelemetry: figures per live stream, about once a second. */
export interface TelemetryBatch {
  /** ISO 8601 time of the sample. */
  readonly at: string;
  readonly streams: readonly StreamTelemetry[];
}

export interface StreamTelemetry {
  readonly streamKey: string;
  readonly videoBitrateKbps: number;
  readonly audioBitrateKbps: number;
  readonly fps: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly videoCodec: string | null;
  readonly audioCodec: string | null;
  readonly viewers: number;
  readonly bytesReceived: number;
}

export interface StopRequest {
  /** Stop one publisher, or the whole ingest server when null. */
  readonly streamKey: string | null;
  readonly reason: string;
}

export interface LiveEngine {
  capabilities(): Promise<LiveCapabilities>;
  /** Runs the ingest server while the stream is read; the last status says why it ended. */
  startIngest(config: IngestConfig): AsyncIterable<EngineStatus>;
  /** Called by the engine's host for each publisher before any media is accepted. */
  onPublishAttempt(context: StreamContext): Promise<PublishDecision>;
  streamTelemetry(): AsyncIterable<TelemetryBatch>;
  stopIngest(request: StopRequest): Promise<void>;
}
