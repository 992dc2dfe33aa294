// A live session's recording: ffmpeg copies the stream from the engine's read URL into ~2 s HLS
// segments, each stored as soon as it closes (a crash loses at most the open one), with the playlist the
// preview plays; at the end the segments become one faststart recording.mp4, stored and measured.
import { type ChildProcess, spawn } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Effect, Fiber, Schedule } from "effect";
import { getToLocalFile } from "./getToLocalFile.ts";
import {
  listedSegments,
  playlistSegments,
  type RecordedSegment,
  recordingPlaylist,
} from "./recordingPlaylist.ts";
import { isStorageFailure, type StorageProvider } from "./storageProvider.ts";

/** Where the recording's pieces are stored (the platform names them: live/{stream}/{session}/…). */
export interface RecordingLayout {
  /** The folder of the pieces; the playlist names segments relative to it. */
  readonly folder: string;
  readonly playlist: string;
  segment(index: number): string;
  readonly recording: string;
}

/** What the recording left in storage once closed. */
export interface StoredRecording {
  readonly objectKey: string;
  readonly durationSeconds: number;
  readonly bytes: number;
  readonly segments: number;
}

export interface LiveRecordingOptions {
  readonly storage: StorageProvider;
  readonly keys: RecordingLayout;
  /** A folder of this recording's own; removed when it closes. */
  readonly scratchDir: string;
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly log: (line: string) => void;
  /** How often closed segments are looked for. */
  readonly pollMs?: number;
  /** When a recorder that stopped while its publisher was still live is restarted. */
  readonly restartSchedule?: Schedule.Schedule<unknown, "RecorderEnded">;
  /**
   * The session was recorded by an earlier run of the ingest (it crashed): the recording continues
   * after the segments its stored playlist lists, a discontinuity at the join.
   */
  readonly continueStored?: boolean;
}

export interface LiveRecording {
  /** Records the publisher from its read URL until `endPart`; a recorder that dies is restarted. */
  startPart(readUrl: string): void;
  /** The publisher left: its recorder finishes the open segment and stops. */
  endPart(): Promise<void>;
  /** The session is over: the whole recording, stored; null when nothing was recorded. */
  close(): Promise<StoredRecording | null>;
  /** Recorder processes running now (none once ended). */
  readonly pids: readonly number[];
}

const SEGMENT_NAME = /segment-(\d+)\.ts$/;
/** Half a second, doubling up to ten seconds, for as long as the publisher is live. */
const restartSchedule = Schedule.min([Schedule.exponential("500 millis"), Schedule.spaced("10 seconds")]);

export function createLiveRecording(options: LiveRecordingOptions): LiveRecording {
  const { storage, keys, scratchDir, log } = options;
  const pollMs = options.pollMs ?? 500;
  const segments: RecordedSegment[] = [];
  const partPlaylists: string[] = [];
  const children = new Set<ChildProcess>();
  let nextIndex = 0;
  let recordingPart: { stop: () => Promise<void> } | null = null;
  let syncing: Promise<void> = Promise.resolve();
  let poller: NodeJS.Timeout | null = null;
  let closed = false;
  /** Segments an earlier run stored: they come first, and the next part starts a new run of segments. */
  const earlierRun: Promise<readonly RecordedSegment[]> = options.continueStored
    ? readStoredSegments().catch((error: unknown) => {
        log(`live recording: reading ${keys.playlist}: ${String(error)}`);
        return [];
      })
    : Promise.resolve([]);

  async function readStoredSegments(): Promise<readonly RecordedSegment[]> {
    // what the earlier run left in its scratch folder (its recorder's playlist, a half-written segment)
    // would be taken for this run's: storage alone says what was recorded
    await rm(scratchDir, { recursive: true, force: true });
    const got = await storage.get({ key: keys.playlist });
    if (isStorageFailure(got)) {
      if (got.reason !== "not_found") log(`live recording: reading ${keys.playlist}: ${got.message}`);
      return [];
    }
    const chunks: Buffer[] = [];
    for await (const chunk of got.body) chunks.push(chunk as Buffer);
    const listed = playlistSegments(Buffer.concat(chunks).toString("utf8"));
    segments.push(...listed);
    nextIndex = listed.reduce((next, segment) => Math.max(next, segment.index + 1), nextIndex);
    return listed;
  }

  const putBytes = async (key: string, body: Buffer, contentType: string) => {
    const stored = await storage.put({ key }, Readable.from([body]), { contentType });
    if (isStorageFailure(stored)) throw new Error(`storing ${key}: ${stored.message}`);
  };

  const storeNewSegments = async (ended: boolean) => {
    const earlier = (await earlierRun).length;
    let added = false;
    for (const [part, playlistPath] of partPlaylists.entries()) {
      const text = await readFile(playlistPath, "utf8").catch(() => "");
      for (const [position, listed] of listedSegments(text).entries()) {
        const index = Number(SEGMENT_NAME.exec(listed.uri)?.[1]);
        if (!Number.isInteger(index) || segments.some((segment) => segment.index === index)) continue;
        const stored = await storage.put(
          { key: keys.segment(index) },
          createReadStream(join(scratchDir, listed.uri)),
          {
            contentType: "video/mp2t",
          },
        );
        if (isStorageFailure(stored)) throw new Error(`storing segment ${index}: ${stored.message}`);
        segments.push({
          index,
          durationSeconds: listed.durationSeconds,
          discontinuity: (part > 0 || earlier > 0) && position === 0,
        });
        added = true;
      }
    }
    if (added || ended) {
      segments.sort((a, b) => a.index - b.index);
      const name = (index: number) => keys.segment(index).slice(keys.folder.length);
      await putBytes(
        keys.playlist,
        Buffer.from(recordingPlaylist(segments, name, ended)),
        "application/vnd.apple.mpegurl",
      );
    }
  };

  const sync = (ended = false) => {
    syncing = syncing
      .then(() => earlierRun)
      .then(() => storeNewSegments(ended))
      .catch((error: unknown) =>
        log(`live recording: ${error instanceof Error ? error.message : String(error)}`),
      );
    return syncing;
  };

  const runRecorder = (readUrl: string, part: number): ChildProcess => {
    const playlistPath = join(scratchDir, `part-${part}.m3u8`);
    partPlaylists.push(playlistPath);
    const args = [
      "-hide_banner",
      "-nostdin",
      "-loglevel",
      "error",
      "-i",
      readUrl,
      "-map",
      "0",
      "-c",
      "copy",
      "-f",
      "hls",
      "-hls_time",
      "2",
      "-hls_list_size",
      "0",
      "-hls_segment_type",
      "mpegts",
      "-start_number",
      String(nextIndex),
      "-hls_segment_filename",
      join(scratchDir, "segment-%06d.ts"),
      playlistPath,
    ];
    const child = spawn(options.ffmpegPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    children.add(child);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.once("exit", (code, signal) => {
      children.delete(child);
      if (!child.killed && (code !== 0 || signal !== null)) {
        log(`live recorder exited ${code ?? signal}: ${stderr.trim()}`);
      }
    });
    return child;
  };

  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once("exit", () => resolve()));

  /** Stops a recorder gracefully: it closes its open segment at the end of its input. */
  const stopRecorder = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // The engine ends reads when the publisher leaves: ffmpeg closes the open segment at the end of its
    // input. One that does not is interrupted (a waiting read gives way to the second SIGINT only,
    // which may cost the open segment), then killed.
    const interrupt = setTimeout(() => child.kill("SIGINT"), 3000);
    const again = setTimeout(() => child.kill("SIGINT"), 3500);
    const killer = setTimeout(() => child.kill("SIGKILL"), 8000);
    await exited(child);
    for (const timer of [interrupt, again, killer]) clearTimeout(timer);
  };

  /**
   * Records one publish until interrupted: each recorder is acquired with a release that stops it and
   * stores what it left; one that ends while the publisher is live is restarted on `restartSchedule`.
   */
  const superviseRecorder = (readUrl: string) => {
    const oneRecorder = Effect.acquireUseRelease(
      Effect.promise(async () => {
        await earlierRun;
        await mkdir(scratchDir, { recursive: true });
        return runRecorder(readUrl, partPlaylists.length);
      }),
      (child) => Effect.promise(() => exited(child)),
      (child) =>
        Effect.promise(async () => {
          await stopRecorder(child);
          await sync();
          nextIndex = segments.reduce((next, segment) => Math.max(next, segment.index + 1), nextIndex);
        }),
    );
    const supervised = oneRecorder.pipe(
      Effect.andThen(Effect.sync(() => log("live recorder stopped while the publisher is live; restarting"))),
      Effect.andThen(Effect.fail("RecorderEnded" as const)),
      Effect.retry(options.restartSchedule ?? restartSchedule),
    );
    const fiber = Effect.runFork(supervised);
    return { stop: () => Effect.runPromise(Fiber.interrupt(fiber)) };
  };

  const buildRecording = async (): Promise<StoredRecording | null> => {
    if (segments.length === 0) return null;
    const list = join(scratchDir, "segments.txt");
    const output = join(scratchDir, "recording.mp4");
    // segments an earlier run stored may be only in storage: they are fetched next to this run's own
    const present: string[] = [];
    for (const segment of segments) {
      const name = `segment-${String(segment.index).padStart(6, "0")}.ts`;
      if (!existsSync(join(scratchDir, name))) {
        await mkdir(scratchDir, { recursive: true });
        const fetched = await getToLocalFile(
          storage,
          { key: keys.segment(segment.index) },
          join(scratchDir, name),
        );
        if (isStorageFailure(fetched)) {
          log(`live recording: segment ${segment.index} is missing from storage: ${fetched.message}`);
          continue;
        }
      }
      present.push(name);
    }
    if (present.length === 0) return null;
    const lines = present.map((name) => `file '${name}'`);
    await writeFile(list, `${lines.join("\n")}\n`);
    await run(options.ffmpegPath, [
      "-hide_banner",
      "-nostdin",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "concat",
      "-safe",
      "0",
      "-i",
      list,
      "-map",
      "0",
      "-c",
      "copy",
      "-movflags",
      "+faststart",
      output,
    ]);
    const probed = await run(options.ffprobePath, [
      "-v",
      "error",
      "-show_entries",
      "format=duration",
      "-of",
      "default=nw=1:nk=1",
      output,
    ]);
    const durationSeconds = Number.parseFloat(probed);
    const bytes = (await stat(output)).size;
    const stored = await storage.put({ key: keys.recording }, createReadStream(output), {
      contentType: "video/mp4",
    });
    if (isStorageFailure(stored)) throw new Error(`storing the recording: ${stored.message}`);
    return { objectKey: keys.recording, durationSeconds, bytes, segments: segments.length };
  };

  const endPart = async () => {
    const part = recordingPart;
    recordingPart = null;
    await part?.stop();
    await sync();
  };

  return {
    get pids() {
      return [...children].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
    },
    startPart(readUrl) {
      if (closed || recordingPart !== null) return;
      recordingPart = superviseRecorder(readUrl);
      poller ??= setInterval(() => void sync(), pollMs);
    },
    endPart,
    async close() {
      if (closed) return null;
      closed = true;
      try {
        await endPart();
        if (poller !== null) clearInterval(poller);
        poller = null;
        await sync(true);
        return await buildRecording();
      } finally {
        for (const child of children) child.kill("SIGKILL");
        await rm(scratchDir, { recursive: true, force: true });
      }
    },
  };
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} exited ${code}: ${stderr.trim()}`)),
    );
  });
}
