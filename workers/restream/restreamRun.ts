// One run of a restream: an input stage (ffmpeg reading the input, `-c copy -f flv pipe:1`), a switcher
// that keeps one monotonic timeline and falls back to a slate (a still picture and silence in the
// input's size and rate) when the input stalls, switching back on the input's next keyframe, and one
// publisher per enabled destination. A file is read once its destinations are ready, so they all start
// at its beginning. Everything it starts ends with stop().
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import type { RestreamRunFigures } from "../../domain/ports/restreamFigures.ts";
import { reconnectDelay } from "../../domain/restream/reconnectDelay.ts";
import type { DestinationState, RestreamTranscode } from "../../schemas/events/restreamEvents.ts";
import { type DestinationPublisher, startDestinationPublisher } from "./destinationPublisher.ts";
import { createFlvTagReader, FLV_SCRIPT, type FlvTag, isKeyframe, isSequenceHeader } from "./flvTags.ts";
import { slateFormatOf } from "./slateFormat.ts";

export interface RunInput {
  /** What ffmpeg reads: a local live read URL, a file path or a signed/proxied URL. */
  readonly url: string;
  /** A live input: when it drops, the slate goes on air and the input is read again until it returns. */
  readonly live: boolean;
  readonly loop: boolean;
  /** `-re`: read at the media's own pace. */
  readonly realtime: boolean;
  /** ffmpeg input options before `-i` (e.g. a protocol's own). */
  readonly options?: readonly string[];
}

export interface RunDestination {
  readonly destinationId: string;
  /** In clear, for ffmpeg only. */
  readonly url: string;
  readonly masked: string;
  /** Re-encoded for this destination; absent: stream copy. */
  readonly transcode?: RestreamTranscode;
}

export interface RestreamRunOptions {
  readonly runId: string;
  readonly input: RunInput;
  readonly destinations: readonly RunDestination[];
  readonly ffmpegPath: string;
  report(destinationId: string, state: DestinationState, errorCount: number, lastError?: string): void;
  /** The input ended for good (a file without loop) or cannot be read; the run is over. */
  ended(reason: "input_ended" | "failed", error?: string): void;
  log(message: string): void;
  /** How long the input may send nothing before the slate goes on air (default 1500 ms). */
  readonly stallMs?: number;
  /** How long a destination may take no byte of what waits for it before it counts as failed (default 10 s). */
  readonly destinationStallMs?: number;
  /** A file input: how long its start may wait for destinations still connecting (default 5 s). */
  readonly holdStartMs?: number;
  /** A file input read to its end: how long the run may wait for destinations to take its tail (default 60 s). */
  readonly endDrainMs?: number;
}

export interface RestreamRun {
  figures(): RestreamRunFigures;
  /** The run's destinations changed (an edit while streaming): start, stop or restart the ones that differ. */
  setDestinations(destinations: readonly RunDestination[]): void;
  /** Which source is on air; for tests and logs. */
  onAir(): "input" | "slate" | "none";
  stop(): Promise<void>;
}

type Ffmpeg = ChildProcessByStdio<null, Readable, Readable>;

interface Source {
  readonly name: "input" | "slate";
  metadata: FlvTag | null;
  videoHeader: FlvTag | null;
  audioHeader: FlvTag | null;
  /** Added to this source's timestamps to place them on the output timeline; null: not placed yet. */
  offset: number | null;
  process: Ffmpeg | null;
}

const newSource = (name: Source["name"]): Source => ({
  name,
  metadata: null,
  videoHeader: null,
  audioHeader: null,
  offset: null,
  process: null,
});

const headersOf = (source: Source) =>
  [source.metadata, source.videoHeader, source.audioHeader].filter((tag): tag is FlvTag => tag !== null);

// a frame's worth between the last tag of one source and the first of the next
const SWITCH_GAP_MS = 33;

export function startRestreamRun(options: RestreamRunOptions): RestreamRun {
  const startedAt = Date.now();
  const stallMs = options.stallMs ?? 1500;
  const input = newSource("input");
  const slate = newSource("slate");
  let onAir: Source | null = null;
  let lastOut = 0;
  let lastInputTagAt = Date.now();
  let inputFailures = 0;
  let inputEverSent = false;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let holdTimer: NodeJS.Timeout | null = null;
  // a file read to its end: nothing more comes, and that is no stall for the slate to cover
  let inputEnded = false;
  const publishers = new Map<string, { destination: RunDestination; publisher: DestinationPublisher }>();

  const forward = (tag: FlvTag, timestamp: number) => {
    for (const { publisher } of publishers.values()) publisher.push(tag, timestamp);
  };

  function putOnAir(source: Source, firstTimestamp: number) {
    const previous = onAir;
    onAir = source;
    source.offset = lastOut + (previous === null ? 0 : SWITCH_GAP_MS) - firstTimestamp;
    // the decoder's configuration of the new source first, at the switch's time
    if (previous !== null) {
      for (const header of [source.videoHeader, source.audioHeader]) if (header) forward(header, lastOut);
      options.log(`restream run ${options.runId}: ${source.name} on air`);
    }
    if (source === input && slate.process !== null) stopProcess(slate);
  }

  function onTag(source: Source, tag: FlvTag) {
    if (stopped) return;
    if (tag.type === FLV_SCRIPT) {
      source.metadata = tag;
      return;
    }
    if (isSequenceHeader(tag)) {
      if (tag.type === 9) source.videoHeader = tag;
      else source.audioHeader = tag;
      if (onAir === source && source.offset !== null) forward(tag, lastOut);
      return;
    }
    if (source === input) {
      lastInputTagAt = Date.now();
      inputEverSent = true;
      inputFailures = 0;
    }
    if (onAir !== source) {
      // a source goes on air on its own keyframe only, so every destination can decode from there
      if (!isKeyframe(tag)) return;
      if (source === slate && onAir === input && Date.now() - lastInputTagAt < stallMs) return;
      putOnAir(source, tag.timestamp);
    } else if (source.offset === null) {
      if (!isKeyframe(tag)) return;
      source.offset = lastOut + SWITCH_GAP_MS - tag.timestamp;
    }
    const out = tag.timestamp + (source.offset ?? 0);
    lastOut = Math.max(lastOut, out);
    forward(tag, out);
  }

  function readFlv(source: Source, process: Ffmpeg) {
    const read = createFlvTagReader((tag) => onTag(source, tag));
    process.stdout.on("data", (chunk: Buffer) => {
      try {
        read(chunk);
      } catch (error) {
        options.log(`restream run ${options.runId}: ${source.name}: ${(error as Error).message}`);
        process.kill("SIGKILL");
      }
    });
  }

  function stopProcess(source: Source) {
    const process = source.process;
    source.process = null;
    source.offset = null;
    if (process !== null && process.exitCode === null) process.kill("SIGKILL");
  }

  function startInput() {
    if (stopped) return;
    const { url, loop, realtime } = options.input;
    const args = [
      ...["-hide_banner", "-nostdin", "-loglevel", "error"],
      ...(realtime ? ["-re"] : []),
      ...(loop ? ["-stream_loop", "-1"] : []),
      ...(options.input.options ?? []),
      ...["-i", url, "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-f", "flv", "pipe:1"],
    ];
    const process = spawn(options.ffmpegPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    input.process = process;
    input.offset = null;
    input.videoHeader = null;
    input.audioHeader = null;
    let stderr = "";
    process.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-2000);
    });
    readFlv(input, process);
    process.once("close", (code) => {
      if (input.process === process) input.process = null;
      if (stopped) return;
      const message = stderr.trim().split("\n").at(-1) ?? `ffmpeg exited ${code}`;
      if (!options.input.live && code === 0 && inputEverSent) {
        inputEnded = true;
        void handOverTheEnd().then(() => {
          if (!stopped) options.ended("input_ended");
        });
        return;
      }
      inputFailures++;
      if (!options.input.live && inputFailures >= 3) {
        options.ended("failed", `the input cannot be read: ${message}`.slice(0, 1000));
        return;
      }
      retryTimer = setTimeout(startInput, reconnectDelay(inputFailures, Math.random()));
    });
  }

  function startSlate() {
    const format = slateFormatOf(input.metadata);
    const args = [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-re"],
      ...["-f", "lavfi", "-i", `color=c=0x1a1a2e:s=${format.width}x${format.height}:r=${format.frameRate}`],
      ...["-f", "lavfi", "-i", `anullsrc=r=${format.sampleRate}:cl=stereo`],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p"],
      ...["-g", String(Math.max(1, Math.round(format.frameRate))), "-b:v", "300k"],
      ...["-c:a", "aac", "-b:a", "64k", "-f", "flv", "pipe:1"],
    ];
    const process = spawn(options.ffmpegPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    slate.process = process;
    slate.offset = null;
    process.stderr.resume();
    readFlv(slate, process);
    process.once("close", () => {
      if (slate.process === process) slate.process = null;
    });
  }

  const watchdog = setInterval(() => {
    if (stopped || inputEnded || !inputEverSent || onAir === slate || slate.process !== null) return;
    if (Date.now() - lastInputTagAt > stallMs) {
      options.log(`restream run ${options.runId}: input stalled, slate going on air`);
      startSlate();
    }
  }, 250);

  function setDestinations(destinations: readonly RunDestination[]) {
    const wanted = new Map(destinations.map((destination) => [destination.destinationId, destination]));
    for (const [id, { destination, publisher }] of publishers) {
      const next = wanted.get(id);
      if (next === undefined || next.url !== destination.url) {
        publishers.delete(id);
        void publisher.stop();
      }
    }
    for (const destination of destinations) {
      if (publishers.has(destination.destinationId)) continue;
      const publisher = startDestinationPublisher({
        destinationId: destination.destinationId,
        url: destination.url,
        masked: destination.masked,
        ffmpegPath: options.ffmpegPath,
        prelude: () => (onAir === null ? headersOf(input) : headersOf(onAir)),
        report: (state, errorCount, lastError) =>
          options.report(destination.destinationId, state, errorCount, lastError),
        log: options.log,
        ...(options.destinationStallMs === undefined ? {} : { stallMs: options.destinationStallMs }),
        ...(destination.transcode === undefined ? {} : { transcode: destination.transcode }),
      });
      publishers.set(destination.destinationId, { destination, publisher });
    }
  }

  /**
   * A file read faster than a destination takes it (read as fast as it can be, or a destination that
   * lags) ends with its tail still on the way: queued here, in the socket's buffers, in the network.
   * Each destination is handed all of it, its connection ended, and the run waits for the destination
   * to close its side, having read it all (or to fail), for endDrainMs at most.
   */
  async function handOverTheEnd() {
    const deadline = Date.now() + (options.endDrainMs ?? 60_000);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadline - Date.now());
    });
    const handedOver = [...publishers.values()].map(async ({ publisher }) => {
      await publisher.drained();
      await publisher.stop(Math.max(0, deadline - Date.now()));
    });
    await Promise.race([Promise.all(handedOver), bound]);
    clearTimeout(timer);
  }

  setDestinations(options.destinations);
  if (options.input.live) startInput();
  else holdStart();

  // What plays while destinations connect would be lost to them (they start on a keyframe after it), and
  // a file restream is expected to start at the file's beginning: the destinations connect first and the
  // file is read once every one takes the stream or has failed to, or after holdStartMs, so one that
  // hangs holds the others that long at most. A destination that comes later starts on a keyframe.
  function holdStart() {
    const ready = Promise.all([...publishers.values()].map(({ publisher }) => publisher.start()));
    const bound = new Promise<void>((resolve) => {
      holdTimer = setTimeout(resolve, options.holdStartMs ?? 5000);
    });
    void Promise.race([ready, bound]).then(() => {
      if (holdTimer !== null) clearTimeout(holdTimer);
      holdTimer = null;
      startInput();
    });
  }

  return {
    figures: () => ({
      runId: options.runId,
      startedAt,
      destinations: Object.fromEntries(
        [...publishers].map(([id, { publisher }]) => [id, publisher.figures()]),
      ),
    }),
    setDestinations,
    onAir: () => onAir?.name ?? "none",
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(watchdog);
      if (retryTimer !== null) clearTimeout(retryTimer);
      if (holdTimer !== null) clearTimeout(holdTimer);
      const closing = [input, slate]
        .map((source) => source.process)
        .filter((process): process is Ffmpeg => process !== null && process.exitCode === null)
        .map((process) => new Promise((resolve) => process.once("close", resolve)));
      stopProcess(input);
      stopProcess(slate);
      await Promise.all([...closing, ...[...publishers.values()].map(({ publisher }) => publisher.stop())]);
      publishers.clear();
    },
  };
}
