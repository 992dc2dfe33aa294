// The tasks of a job that make several files: thumbnails (with a poster and a storyboard), the source's
// subtitles as WebVTT and SRT, and the package of a ladder (HLS/DASH over its renditions, its audio tracks
// and its subtitles). Each runs in the attempt's scratch folder through the encoder plugin's media outputs,
// then every file goes into the job storage under `work/<job>/<task>/<attempt>/`, checked as it is stored.
import { join } from "node:path";
import { hlsKeyObject, hlsKeyUri, jobWorkFolder } from "../../domain/job/jobFileKeys.ts";
import type { Job, TaskState } from "../../domain/job/jobState.ts";
import type { EncodeFailed, EncodeProgress } from "../../plugins/sdk/encoderPlugin.ts";
import { getToLocalFile } from "../../plugins/sdk/getToLocalFile.ts";
import type { MediaFailure, MediaOutputs, PackagedFileRole } from "../../plugins/sdk/mediaOutputs.ts";
import { putLocalFile } from "../../plugins/sdk/putLocalFile.ts";
import { isStorageFailure, type StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import type { ErrorCode } from "../../schemas/errors.ts";
import type { OutputType, TaskFile } from "../../schemas/events/jobEvents.ts";
import type { ProfileSpec } from "../../schemas/profiles/profileSpec.ts";
import { trackLabel } from "./trackLabel.ts";

export interface MediaTaskInput {
  job: Job;
  task: TaskState;
  spec: ProfileSpec;
  /** The source as the encoder reads it. */
  source: string;
  workDir: string;
  attempt: number;
  signal: AbortSignal;
  onProgress: (progress: EncodeProgress) => void;
}

export interface MediaTaskDeps {
  media: MediaOutputs;
  jobs: StorageProvider;
}

/** Several stored files: `outputKey` and its figures are the first listed file's. */
export interface StoredFiles {
  readonly _tag: "StoredFiles";
  readonly outputKey: string;
  readonly sizeBytes: number;
  readonly checksum: string;
  readonly durationSec: number;
  readonly files: readonly TaskFile[];
  readonly folder?: { prefix: string; fileCount: number; sizeBytes: number };
}

export type MediaTaskFailed = EncodeFailed & { readonly code?: ErrorCode };

const failed = (
  exitClass: EncodeFailed["exitClass"],
  message: string,
  code?: ErrorCode,
): MediaTaskFailed => ({
  _tag: "EncodeFailed",
  exitClass,
  message,
  stderrTail: "",
  ...(code === undefined ? {} : { code }),
});

const fromMedia = (failure: MediaFailure): MediaTaskFailed => failed(failure.exitClass, failure.message);

const tick = (pct: number): EncodeProgress => ({
  pct,
  outTimeSec: 0,
  fps: null,
  speed: null,
  etaSeconds: null,
});

const contentTypes: Record<string, string> = {
  ".m3u8": "application/vnd.apple.mpegurl",
  ".mpd": "application/dash+xml",
  ".m4s": "video/iso.segment",
  ".mp4": "video/mp4",
  ".m4a": "audio/mp4",
  ".webm": "video/webm",
  ".vtt": "text/vtt",
  ".srt": "application/x-subrip",
  ".jpg": "image/jpeg",
  ".key": "application/octet-stream",
};
const contentTypeOf = (path: string) =>
  contentTypes[path.slice(path.lastIndexOf(".")).toLowerCase()] ?? "application/octet-stream";

interface Listed {
  /** Relative to the attempt's output folder, with "/" separators. */
  readonly path: string;
  readonly type?: OutputType;
  readonly language?: string | null;
}

/**
 * Stores every file the plugin wrote (`all`, relative to `outputDir`) under the attempt's prefix; those
 * in `listed` with a type are recorded, in that order.
 */
async function storeAll(
  deps: MediaTaskDeps,
  input: MediaTaskInput,
  outputDir: string,
  all: readonly string[],
  listed: readonly Listed[],
  durationSec: number,
): Promise<StoredFiles | MediaTaskFailed> {
  const prefix = `${jobWorkFolder(input.job.jobId)}/${input.task.taskId}/${input.attempt}`;
  const typed = new Map(listed.map((entry) => [entry.path, entry]));
  const files: TaskFile[] = [];
  let total = 0;
  let done = 0;
  for (const path of all) {
    if (input.signal.aborted) return failed("cancelled", "the task was cancelled");
    const key = `${prefix}/${path}`;
    const stored = await putLocalFile(deps.jobs, { key }, join(outputDir, ...path.split("/")), {
      contentType: contentTypeOf(path),
    });
    if (isStorageFailure(stored))
      return failed("transient", `storing ${key}: ${stored.message} ${stored.hint}`);
    total += stored.sizeBytes;
    const entry = typed.get(path);
    if (entry?.type !== undefined) {
      files.push({
        name: path,
        type: entry.type,
        key,
        sizeBytes: stored.sizeBytes,
        checksum: stored.checksum,
        ...(entry.language ? { language: entry.language } : {}),
      });
    }
    done += 1;
    input.onProgress(tick(50 + Math.floor((50 * done) / all.length)));
  }
  const order = listed.map((entry) => entry.path);
  files.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const first = files[0];
  if (first === undefined) return failed("input", `task ${input.task.sequenceIndex} made no file`);
  return {
    _tag: "StoredFiles",
    outputKey: first.key,
    sizeBytes: first.sizeBytes,
    checksum: first.checksum,
    durationSec,
    files,
    folder: { prefix, fileCount: all.length, sizeBytes: total },
  };
}

export async function runThumbnailsTask(
  deps: MediaTaskDeps,
  input: MediaTaskInput,
): Promise<StoredFiles | MediaTaskFailed> {
  const settings = input.spec.thumbnails;
  if (settings === null) return failed("input", "the job's profile asks for no thumbnails");
  const outputDir = join(input.workDir, "thumbnails");
  const made = await deps.media.thumbnails({
    input: input.source,
    durationSec: input.task.endTimeSec,
    intervalSec: settings.intervalSec,
    width: settings.width,
    storyboard: settings.storyboard,
    outputDir,
    signal: input.signal,
  });
  if (made._tag === "MediaFailure") return fromMedia(made);
  input.onProgress(tick(50));
  const listed: Listed[] = [
    { path: made.poster, type: "thumbnail" },
    ...(made.storyboard === null
      ? []
      : [
          { path: made.storyboard.vtt, type: "storyboard" as const },
          ...made.storyboard.sprites.map((path) => ({ path, type: "storyboard" as const })),
        ]),
    ...made.thumbnails.map((thumbnail) => ({ path: thumbnail.path, type: "thumbnail" as const })),
  ];
  const all = [...new Set(listed.map((entry) => entry.path))];
  return storeAll(deps, input, outputDir, all, listed, input.task.endTimeSec);
}

export async function runSubtitlesTask(
  deps: MediaTaskDeps,
  input: MediaTaskInput,
): Promise<StoredFiles | MediaTaskFailed> {
  const outputDir = join(input.workDir, "subtitles");
  const extracted = await deps.media.extractSubtitles(input.source, outputDir, input.signal);
  if ("_tag" in extracted) return fromMedia(extracted);
  if (extracted.length === 0) return failed("input", "the source has no text subtitle track to extract");
  input.onProgress(tick(50));
  const listed = extracted.flatMap((subtitle): Listed[] => [
    { path: subtitle.vtt, type: "subtitle", language: subtitle.track.language },
    { path: subtitle.srt, type: "subtitle", language: subtitle.track.language },
  ]);
  return storeAll(
    deps,
    input,
    outputDir,
    [...new Set(listed.map((entry) => entry.path))],
    listed,
    input.task.endTimeSec,
  );
}

/** Fetches a finished task's stored output into `path`, checked against what its task recorded. */
async function fetchChecked(
  deps: MediaTaskDeps,
  input: MediaTaskInput,
  key: string,
  expected: { sizeBytes: number | null; checksum: string | null },
  path: string,
): Promise<string | MediaTaskFailed> {
  const fetched = await getToLocalFile(deps.jobs, { key }, path, input.signal).catch((error: Error) =>
    failed(input.signal.aborted ? "cancelled" : "transient", `fetching ${key}: ${error.message}`),
  );
  if (fetched._tag === "EncodeFailed") return fetched;
  if (isStorageFailure(fetched)) {
    const gone = fetched.reason === "not_found";
    return failed(gone ? "input" : "transient", `${key}: ${fetched.message} ${fetched.hint}`);
  }
  if (fetched.checksum !== expected.checksum || fetched.sizeBytes !== expected.sizeBytes)
    return failed("input", `${key} differs from the output its task verified`);
  return fetched.path;
}

const roleTypes: Partial<Record<PackagedFileRole, OutputType>> = {
  manifest: "manifest",
  playlist: "rendition",
  subtitle: "subtitle",
};

export async function runPackageTask(
  deps: MediaTaskDeps,
  input: MediaTaskInput,
): Promise<StoredFiles | MediaTaskFailed> {
  const packaging = input.spec.packaging;
  if (packaging === null) return failed("input", "the job's profile asks for no package");
  const parts = input.job.tasks.filter((other) => input.task.dependsOn.includes(other.taskId));
  const inputs = join(input.workDir, "inputs");
  const renditions = [];
  for (const part of parts.filter((other) => other.kind === "video" || other.kind === "stitch")) {
    if (part.outputKey === null) return failed("input", `rendition task ${part.sequenceIndex} has no output`);
    // a task of several tiers lists each tier's file; any other holds one rendition as its output
    const made =
      part.renditions.length > 0
        ? part.files.filter((file) => file.rendition !== undefined)
        : [
            {
              rendition: part.rendition ?? "main",
              key: part.outputKey,
              sizeBytes: part.sizeBytes,
              checksum: part.checksum,
            },
          ];
    if (made.length < part.renditions.length)
      return failed(
        "input",
        `rendition task ${part.sequenceIndex} recorded ${made.length} of its ${part.renditions.length} renditions`,
      );
    for (const file of made) {
      const name = file.rendition ?? "main";
      const path = await fetchChecked(deps, input, file.key, file, join(inputs, `${name}.mp4`));
      if (typeof path !== "string") return path;
      const codec = input.spec.ladder.find((t) => t.name === name)?.codec ?? input.spec.video.codec;
      renditions.push({ name, path, codec });
    }
  }
  input.onProgress(tick(10));
  const audioTask = parts.find((other) => other.kind === "audio");
  const audio = [];
  if (audioTask?.outputKey) {
    const path = await fetchChecked(deps, input, audioTask.outputKey, audioTask, join(inputs, "audio.mp4"));
    if (typeof path !== "string") return path;
    const tracks = await deps.media.demuxAudioTracks(path, join(inputs, "audio"), input.signal);
    if ("_tag" in tracks) return fromMedia(tracks);
    audio.push(
      ...tracks.map((track, index) => ({
        path: track.path,
        language: track.language,
        name: trackLabel(track, `Audio ${index + 1}`),
        isDefault: track.isDefault || (index === 0 && !tracks.some((t) => t.isDefault)),
      })),
    );
  }
  const subtitles = [];
  const subtitlesTask = parts.find((other) => other.kind === "subtitles");
  for (const file of subtitlesTask?.files.filter((f) => f.name.endsWith(".vtt")) ?? []) {
    const path = await fetchChecked(deps, input, file.key, file, join(inputs, "subtitles", file.name));
    if (typeof path !== "string") return path;
    subtitles.push({
      path,
      language: file.language ?? null,
      name: trackLabel({ language: file.language ?? null, title: null }, file.name),
      isDefault: false,
      forced: false,
    });
  }
  const encryption = packaging.encryption === "aes-128" ? await readHlsKey(deps, input) : null;
  if (encryption !== null && "_tag" in encryption) return encryption;
  input.onProgress(tick(20));
  const outputDir = join(input.workDir, "package");
  const packaged = await deps.media.packageLadder({
    renditions,
    audio,
    subtitles,
    segmentSec: packaging.segmentSec,
    hls: packaging.hls,
    dash: packaging.dash && packaging.encryption === "none",
    encryption,
    outputDir,
    signal: input.signal,
  });
  if (packaged._tag === "MediaFailure") return fromMedia(packaged);
  if (packaged._tag === "PackageRejected")
    return failed(
      "input",
      `package check ${packaged.check} failed: ${packaged.message} ${packaged.hint}`,
      "WE-JOB-012",
    );
  input.onProgress(tick(50));
  const manifests = [packaged.hlsMaster, packaged.dashManifest].filter(
    (path): path is string => path !== null,
  );
  const listed: Listed[] = [
    ...manifests.map((path) => ({ path, type: "manifest" as const })),
    ...packaged.files
      .filter((file) => file.role !== "manifest" && roleTypes[file.role] !== undefined)
      .map((file) => ({ path: file.path, type: roleTypes[file.role] as OutputType })),
  ];
  const all = packaged.files.map((file) => file.path);
  return storeAll(deps, input, outputDir, all, listed, input.task.endTimeSec);
}

/**
 * The job's AES-128 key and IV as the kernel stored them when it planned the package, and the URI players
 * ask the kernel for the key at; the key never leaves this function but into the packager.
 */
async function readHlsKey(
  deps: MediaTaskDeps,
  input: MediaTaskInput,
): Promise<{ keyUri: string; keyHex: string; ivHex: string } | MediaTaskFailed> {
  const jobId = input.job.jobId;
  const got = await deps.jobs.get({ key: hlsKeyObject(jobId) });
  if (isStorageFailure(got)) {
    const gone = got.reason === "not_found";
    return failed(gone ? "input" : "transient", `the job's HLS key: ${got.message} ${got.hint}`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of got.body) chunks.push(Buffer.from(chunk as Uint8Array));
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== 32) return failed("input", "the job's HLS key is not 16 bytes of key and 16 of IV");
  return {
    keyUri: hlsKeyUri(jobId),
    keyHex: bytes.subarray(0, 16).toString("hex"),
    ivHex: bytes.subarray(16).toString("hex"),
  };
}
