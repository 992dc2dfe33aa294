// One destination of a restream run, fed tag by tag from the run's fan-out through a bounded queue. RTMP
// and RTMPS destinations are published by this process's own RTMP client; SRT ones by an
// `ffmpeg -f flv -i pipe:0 -c copy -f mpegts`, and any destination that takes the stream re-encoded by an
// ffmpeg encoding H.264 and AAC at its rates (the URL on ffmpeg's command line: ffmpeg takes an output
// URL nowhere else). A slow destination drops to the next keyframe instead of holding the others; one
// that stops taking bytes altogether is dropped as failed; a failed one reconnects on its own with
// backoff. What it reports and logs has the URL masked.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import type { ConnectionOptions } from "node:tls";
import type { DestinationFigures } from "../../domain/ports/restreamFigures.ts";
import { reconnectDelay } from "../../domain/restream/reconnectDelay.ts";
import type { DestinationState, RestreamTranscode } from "../../schemas/events/restreamEvents.ts";
import { encodeFlvTag, type FlvTag, flvHeader, isKeyframe } from "./flvTags.ts";
import { connectRtmpPublisher } from "./rtmpPublishConnection.ts";

export interface DestinationPublisherOptions {
  destinationId: string;
  /** In clear: handed to the connection (or to ffmpeg for SRT), nowhere else. */
  url: string;
  masked: string;
  ffmpegPath: string;
  /** The tags a decoder needs first (metadata, sequence headers) of the source on air now. */
  prelude(): readonly FlvTag[];
  /** Called on state transitions only. */
  report(state: DestinationState, errorCount: number, lastError?: string): void;
  log(message: string): void;
  /** Bytes queued for a slow destination before it skips to the next keyframe (default 8 MiB). */
  maxQueueBytes?: number;
  /** TLS options for rtmps destinations (a private CA, for instance). */
  tls?: ConnectionOptions;
  /** How long the destination may take no byte of what waits for it before it counts as failed (default 10 s). */
  stallMs?: number;
  /** Re-encode for this destination instead of the stream copy. */
  transcode?: RestreamTranscode;
}

export interface DestinationPublisher {
  /** Connects now, before the first tag; settles once the first connection takes tags or has failed. */
  start(): Promise<void>;
  /** A tag of the run, timestamped on the run's output timeline. */
  push(tag: FlvTag, timestamp: number): void;
  figures(): DestinationFigures;
  /**
   * Settles once everything pushed so far has been handed to the destination's side (nothing queued,
   * nothing in the socket's or pipe's buffer), or once it has no connection that takes the stream: the
   * end of a file waits for this before the run stops, so its last seconds are not dropped with the queue.
   */
  drained(): Promise<void>;
  /**
   * Ends the connection; the destination's side has graceMs (default 2 s) to take what was sent. Called
   * again before that is over, it drops the connection at once.
   */
  stop(graceMs?: number): Promise<void>;
}

type Ffmpeg = ChildProcessByStdio<Writable, Readable, Readable>;

/** Where tags go for one connection: false from send() when it is full (wait for the drain). */
interface Sink {
  send(tag: FlvTag, timestamp: number): boolean;
  bytesSent(): number;
  /** Of what was sent, the bytes the destination's side took (a pipe or socket buffered the rest). */
  bytesAccepted(): number;
  /** What was sent and waits in a buffer for the destination's side to take it. */
  bytesWaiting(): number;
  /** Ends the connection, giving the destination's side graceMs (default 2 s) to take what was sent. */
  close(graceMs?: number): Promise<void>;
  /** Ends the connection at once, without a goodbye a destination that reads nothing would never take. */
  abort(): Promise<void>;
}

interface SinkEvents {
  /** The destination takes tags from now on (an RTMP server started the publish). */
  accepting(): void;
  /** The destination is receiving the stream. */
  live(): void;
  drain(): void;
  /** The connection is gone (not after close()); the message is unmasked. */
  failed(message: string): void;
}

/** The parts of a destination URL that are secrets: its stream key, credentials, secret query values. */
function secretsOf(url: string): string[] {
  try {
    const parts = new URL(url);
    const key = parts.pathname
      .split("/")
      .filter((segment) => segment !== "")
      .at(-1);
    return [key, parts.username, parts.password, ...parts.searchParams.values()].filter(
      (secret): secret is string => secret !== undefined && secret.length >= 4,
    );
  } catch {
    return [];
  }
}

/** The last line of an error with the URL and every secret in it masked. */
function maskedMessage(text: string, url: string, masked: string): string {
  let message = text.split(url).join(masked);
  for (const secret of secretsOf(url)) message = message.split(secret).join("••••");
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  return (lines.at(-1) ?? "the connection ended").slice(0, 500);
}

/** An RTMP(S) destination: it takes tags once the server has started the publish. */
function rtmpSink(url: string, tls: ConnectionOptions | undefined, events: SinkEvents): Sink {
  let connection: Awaited<ReturnType<typeof connectRtmpPublisher>> | null = null;
  let closed = false;
  connectRtmpPublisher({
    url,
    ...(tls ? { tls } : {}),
    onDrain: () => events.drain(),
    onClose: (error) => {
      connection = null;
      if (!closed) events.failed(error?.message ?? "the destination closed the connection");
    },
  }).then(
    (opened) => {
      if (closed) {
        void opened.close();
        return;
      }
      connection = opened;
      events.accepting();
    },
    (error: Error) => {
      if (!closed) events.failed(error.message);
    },
  );
  return {
    send: (tag, timestamp) => connection?.send(tag.type, timestamp, tag.body) ?? true,
    bytesSent: () => connection?.bytesSent() ?? 0,
    bytesAccepted: () => (connection === null ? 0 : connection.bytesSent() - connection.bytesWaiting()),
    bytesWaiting: () => connection?.bytesWaiting() ?? 0,
    async close(graceMs) {
      closed = true;
      await connection?.close(graceMs);
    },
    async abort() {
      closed = true;
      await connection?.abort();
    },
  };
}

/**
 * A destination through ffmpeg: an SRT one remuxed to MPEG-TS, one that takes the stream re-encoded
 * (x264 veryfast, zero latency, a keyframe every 2 s, constrained to its rate; AAC) to FLV or MPEG-TS by
 * its scheme; live once it has written bytes.
 */
function ffmpegSink(
  url: string,
  ffmpegPath: string,
  events: SinkEvents,
  transcode: RestreamTranscode | undefined,
): Sink {
  const codecs =
    transcode === undefined
      ? ["-c", "copy"]
      : [
          ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p"],
          ...["-b:v", `${transcode.videoBitrateKbps}k`, "-maxrate", `${transcode.videoBitrateKbps}k`],
          ...["-bufsize", `${transcode.videoBitrateKbps * 2}k`],
          ...["-force_key_frames", "expr:gte(t,n_forced*2)", "-sc_threshold", "0"],
          ...["-c:a", "aac", "-b:a", `${transcode.audioBitrateKbps}k`, "-ar", "48000"],
        ];
  const args = [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1"],
    ...["-analyzeduration", "1000000", "-f", "flv", "-i", "pipe:0", "-map", "0:v?", "-map", "0:a?"],
    ...codecs,
    ...["-f", url.startsWith("srt:") ? "mpegts" : "flv", url],
  ];
  const child: Ffmpeg = spawn(ffmpegPath, args, { stdio: ["pipe", "pipe", "pipe"] });
  let closed = false;
  let size = 0;
  let written = 0;
  let stderr = "";
  child.stdin.on("error", () => {}); // EPIPE when ffmpeg is gone: its exit says why
  child.stdin.on("drain", () => events.drain());
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  let progress = "";
  child.stdout.on("data", (chunk: Buffer) => {
    progress += chunk.toString("utf8");
    const blocks = progress.split(/progress=\w+\n/);
    progress = blocks.pop() ?? "";
    for (const block of blocks) {
      const total = Number(/total_size=(\d+)/.exec(block)?.[1] ?? 0);
      if (total > 0 && size === 0) events.live();
      size = Math.max(size, total);
    }
  });
  const exited = new Promise<void>((resolve) => {
    child.once("close", (code, signal) => {
      if (!closed) events.failed(stderr || `ffmpeg exited (${code ?? signal})`);
      resolve();
    });
  });
  const header = flvHeader();
  written += header.length;
  child.stdin.write(header);
  return {
    send: (tag, timestamp) => {
      const bytes = encodeFlvTag(tag, timestamp);
      written += bytes.length;
      return child.stdin.write(bytes);
    },
    bytesSent: () => size,
    bytesAccepted: () => written - child.stdin.writableLength,
    bytesWaiting: () => child.stdin.writableLength,
    async abort() {
      closed = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
    async close(graceMs = 2000) {
      closed = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      // ffmpeg ends by itself once it has read, remuxed or encoded and sent what it was given: a remux
      // is given the grace, a re-encode at least the time to encode the end of a file
      child.stdin.end();
      const endsBy = transcode === undefined ? graceMs : Math.max(graceMs, 10_000);
      const terminator = setTimeout(() => child.kill("SIGTERM"), endsBy);
      const killer = setTimeout(() => child.kill("SIGKILL"), endsBy + 2000);
      await exited;
      clearTimeout(terminator);
      clearTimeout(killer);
    },
  };
}

interface Queued {
  tag: FlvTag;
  timestamp: number;
}

export function startDestinationPublisher(options: DestinationPublisherOptions): DestinationPublisher {
  const maxQueueBytes = options.maxQueueBytes ?? 8 * 1024 * 1024;
  const stallMs = options.stallMs ?? 10_000;
  let state: DestinationState = "idle";
  let errorCount = 0;
  let lastError: string | undefined;
  let failuresInARow = 0;
  let stopped = false;
  let sink: Sink | null = null;
  // the connection being ended by stop(), given its grace
  let closing: Sink | null = null;
  let accepting = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let streaming = false;
  // while a connection is being made: the tags since the source's last keyframe, so the destination
  // starts on that keyframe instead of waiting a whole group of pictures for the next one
  let waiting: Queued[] | null = null;
  let waitingBytes = 0;
  // per connection: the queue, whether it waits for a keyframe, its own timeline's origin
  let queue: Queued[] = [];
  let queuedBytes = 0;
  let blocked = false;
  let needKeyframe = true;
  let origin: number | null = null;
  let liveSince: number | null = null;
  let bitrateKbps = 0;
  let lastSize = 0;
  let lastSizeAt = 0;
  let skips = 0;
  // the destination's side took a byte lately, or nothing waited for it to take
  let accepted = 0;
  let acceptedAt = Date.now();
  let settleFirst = () => {};
  const firstSettled = new Promise<void>((resolve) => {
    settleFirst = resolve;
  });

  const transition = (next: DestinationState) => {
    if (next === state) return;
    state = next;
    options.report(state, errorCount, lastError);
  };

  const send = (tag: FlvTag, timestamp: number) => {
    if (sink === null) return;
    if (blocked) {
      queue.push({ tag, timestamp });
      queuedBytes += tag.body.length;
      if (queuedBytes > maxQueueBytes) {
        // the destination cannot keep up: what is queued is dropped, and it resumes on a keyframe
        queue = [];
        queuedBytes = 0;
        needKeyframe = true;
        skips++;
      }
      return;
    }
    if (!sink.send(tag, timestamp)) blocked = true;
  };

  const measure = () => {
    if (sink === null) return;
    const at = Date.now();
    if (at - lastSizeAt < 1000) return;
    const size = sink.bytesSent();
    bitrateKbps = Math.round(((size - lastSize) * 8) / (at - lastSizeAt));
    lastSize = size;
    lastSizeAt = at;
  };

  const goLive = () => {
    failuresInARow = 0;
    liveSince = Date.now();
    transition("live");
  };

  function connect() {
    retryTimer = null;
    if (stopped) return;
    // retries after a failure stay "errored" until one gets through: live ⇄ errored, not a flap per attempt
    if (state !== "errored") transition("connecting");
    // SRT and a re-encode go through ffmpeg; an RTMP copy through this process's own client
    const viaFfmpeg = options.url.startsWith("srt:") || options.transcode !== undefined;
    // the first connection waits for the run's first tag: nothing is published before there is a stream
    if (!streaming) return;
    queue = [];
    queuedBytes = 0;
    blocked = false;
    needKeyframe = true;
    origin = null;
    accepting = viaFfmpeg; // ffmpeg buffers what it is given from its start
    if (viaFfmpeg) settleFirst();
    waiting = null;
    waitingBytes = 0;
    lastSize = 0;
    lastSizeAt = Date.now();
    let current: Sink | null = null;
    const events: SinkEvents = {
      accepting() {
        if (sink !== current) return;
        accepting = true;
        settleFirst();
        const replay = waiting ?? [];
        waiting = null;
        waitingBytes = 0;
        for (const { tag, timestamp } of replay) deliver(tag, timestamp);
      },
      live() {
        if (sink === current && !stopped) goLive();
      },
      drain() {
        if (sink !== current) return;
        blocked = false;
        const pending = queue;
        queue = [];
        queuedBytes = 0;
        for (const { tag, timestamp } of pending) send(tag, timestamp);
      },
      failed(message) {
        if (sink === current && !stopped) fail(message);
      },
    };
    current = viaFfmpeg
      ? ffmpegSink(options.url, options.ffmpegPath, events, options.transcode)
      : rtmpSink(options.url, options.tls, events);
    sink = current;
    accepted = 0;
    acceptedAt = Date.now();
  }

  /** The connection on now is gone: errored, and a new one after the backoff. */
  function fail(message: string) {
    settleFirst();
    sink = null;
    accepting = false;
    liveSince = null;
    bitrateKbps = 0;
    errorCount++;
    failuresInARow++;
    lastError = maskedMessage(message, options.url, options.masked);
    if (state !== "errored") options.log(`restream destination ${options.masked} failed: ${lastError}`);
    transition("errored");
    retryTimer = setTimeout(connect, reconnectDelay(failuresInARow, Math.random()));
  }

  // A destination whose connection stays open but that reads nothing (an ingest that hangs) would look
  // live forever: once what waits for it has not moved for stallMs, its connection is dropped as failed.
  const stallWatch = setInterval(
    () => {
      if (sink === null || !accepting || stopped) return;
      const now = Date.now();
      const taken = sink.bytesAccepted();
      if (taken !== accepted || (!blocked && sink.bytesWaiting() === 0)) {
        accepted = taken;
        acceptedAt = now;
        return;
      }
      if (now - acceptedAt < stallMs) return;
      const stalled = sink;
      fail(`the destination stopped reading for ${stallMs / 1000} s`);
      void stalled.abort();
    },
    Math.min(1000, Math.max(50, stallMs / 5)),
  );

  /** A tag to a connection that takes tags: from a keyframe on, on the connection's own timeline. */
  function deliver(tag: FlvTag, timestamp: number) {
    if (needKeyframe) {
      if (!isKeyframe(tag)) return;
      needKeyframe = false;
      // a skip after a slow spell continues the same timeline; only a new connection starts at 0, with
      // the decoder's configuration of the source on air first
      if (origin === null) {
        origin = timestamp;
        for (const header of options.prelude()) send(header, 0);
        send(tag, 0);
        // an RTMP destination is live from its first keyframe on; SRT's ffmpeg says so once it writes
        if (!options.url.startsWith("srt:") && options.transcode === undefined) goLive();
        measure();
        return;
      }
    }
    send(tag, Math.max(0, timestamp - (origin ?? timestamp)));
    measure();
  }

  function start() {
    if (streaming) return;
    streaming = true;
    if (!stopped && sink === null && retryTimer === null) connect();
  }

  connect();

  return {
    start() {
      start();
      return firstSettled;
    },
    push(tag, timestamp) {
      start();
      if (sink === null) return;
      if (accepting) deliver(tag, timestamp);
      else if (isKeyframe(tag)) {
        waiting = [{ tag, timestamp }];
        waitingBytes = tag.body.length;
      } else if (waiting !== null) {
        waiting.push({ tag, timestamp });
        waitingBytes += tag.body.length;
        if (waitingBytes > maxQueueBytes) waiting = null;
      }
    },
    async drained() {
      // one still connecting, or reconnecting, took no stream to finish
      const handedOver = () =>
        stopped ||
        sink === null ||
        !accepting ||
        (!blocked && queue.length === 0 && sink.bytesWaiting() === 0);
      // the socket says when its buffer fell below its mark, not when it emptied: looked at, briefly
      while (!handedOver()) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    figures() {
      measure(); // a destination sent nothing lately reads 0, not its last rate
      return { bitrateKbps: state === "live" ? bitrateKbps : 0, liveSince, skips };
    },
    async stop(graceMs) {
      if (stopped) {
        // stopped again while the end of a file is still being taken (the run itself stops, or starts
        // over): the connection goes now, not after its grace, so it holds no stream key in the way
        await closing?.abort();
        return;
      }
      stopped = true;
      settleFirst();
      clearInterval(stallWatch);
      if (retryTimer !== null) clearTimeout(retryTimer);
      closing = sink;
      sink = null;
      await closing?.close(graceMs);
      closing = null;
      transition("idle");
    },
  };
}
