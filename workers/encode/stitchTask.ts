// The stitch of a split job, run by a worker like any task: the chunks and the audio come out of the
// job storage into this attempt's scratch folder (each checked against what its task recorded), the
// encoder stitches them with stream copy and proves the result; every seam's SSIM against the source
// comes from the chunks' own figures (each measured its sides right after its encode), or is measured on
// the output when a chunk brought none. A failed proof fails the job with WE-JOB-012; the chunks stay.
import { join } from "node:path";
import type { Job, TaskState } from "../../domain/job/jobState.ts";
import type {
  EncodeFailed,
  EncodeProfile,
  EncodeProgress,
  SeamReport,
} from "../../plugins/sdk/encoderPlugin.ts";
import { getToLocalFile } from "../../plugins/sdk/getToLocalFile.ts";
import type { SeamSsimFailed, SplitEncoding } from "../../plugins/sdk/splitEncoding.ts";
import { isStorageFailure, type StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import type { ErrorCode } from "../../schemas/errors.ts";
import type { StitchReport } from "../../schemas/events/jobEvents.ts";
import { chunkOutputOf, seamFramesOf, seamsOfChunks } from "./seamsOfChunks.ts";

export interface StitchTaskInput {
  job: Job;
  task: TaskState;
  profile: EncodeProfile;
  /** The source as the encoder reads it, for the seams' SSIM and the audio's expected length. */
  source: string;
  workDir: string;
  attemptId: string;
  signal: AbortSignal;
  onProgress: (progress: EncodeProgress) => void;
}

export interface StitchedOutput {
  readonly _tag: "Encoded";
  readonly path: string;
  readonly sizeBytes: number;
  readonly checksum: string;
  readonly durationSec: number;
  readonly stitch: StitchReport;
}

/** A failed attempt; `code` is what the job fails with when it is not retried. */
export type StitchFailed = EncodeFailed & { readonly code?: ErrorCode };

const failed = (exitClass: EncodeFailed["exitClass"], message: string, code?: ErrorCode): StitchFailed => ({
  _tag: "EncodeFailed",
  exitClass,
  message,
  stderrTail: "",
  ...(code === undefined ? {} : { code }),
});

const tick = (pct: number): EncodeProgress => ({
  pct,
  outTimeSec: 0,
  fps: null,
  speed: null,
  etaSeconds: null,
});

export async function runStitchTask(
  deps: { split: SplitEncoding; jobs: StorageProvider },
  input: StitchTaskInput,
): Promise<StitchedOutput | StitchFailed> {
  const { job, task, signal } = input;
  const target = task.stitch;
  if (target === null) return failed("input", `task ${task.taskId} has no stitch target`, "WE-JOB-012");
  // what this stitch joins: its rendition's chunks, and the audio when it muxes it
  const joined = job.tasks.filter((other) => task.dependsOn.includes(other.taskId));
  const chunks = joined.filter((other) => other.kind === "video");
  const audio = joined.find((other) => other.kind === "audio") ?? null;
  // each chunk's file for this stitch's rendition (a chunk may have made every tier of its range)
  const parts = [
    ...chunks.map((chunk) => ({ task: chunk, output: chunkOutputOf(chunk, task.rendition) })),
    ...(audio === null ? [] : [{ task: audio, output: chunkOutputOf(audio, null) }]),
  ];

  const startedAt = performance.now();
  // every part at once: the storage serves them side by side
  let fetchedParts = 0;
  const fetchedAll = await Promise.all(
    parts.map(async ({ task: part, output }): Promise<string | StitchFailed> => {
      const key = output?.key ?? null;
      if (output === null || key === null || output.checksum === null)
        return failed("input", `task ${part.sequenceIndex} has no stored output`, "WE-JOB-012");
      const path = join(
        input.workDir,
        part.kind === "audio" ? "audio.mp4" : `chunk-${part.sequenceIndex}.mp4`,
      );
      const fetched = await getToLocalFile(deps.jobs, { key }, path, signal).catch((error: Error) =>
        failed(signal.aborted ? "cancelled" : "transient", `fetching ${key}: ${error.message}`),
      );
      if (fetched._tag === "EncodeFailed") return fetched;
      if (isStorageFailure(fetched)) {
        // a chunk that vanished cannot come back by trying again; a storage outage can
        const gone = fetched.reason === "not_found";
        return failed(
          gone ? "input" : "transient",
          `${key}: ${fetched.message} ${fetched.hint}`,
          gone ? "WE-JOB-012" : undefined,
        );
      }
      if (fetched.checksum !== output.checksum || fetched.sizeBytes !== output.sizeBytes) {
        return failed("input", `${key} differs from the output its task verified`, "WE-JOB-012");
      }
      fetchedParts += 1;
      input.onProgress(tick(Math.floor((40 * fetchedParts) / parts.length)));
      return fetched.path;
    }),
  );
  if (signal.aborted) return failed("cancelled", "the stitch was cancelled");
  const problem = fetchedAll.find((part): part is StitchFailed => typeof part !== "string");
  if (problem !== undefined) return problem;
  const local = fetchedAll as string[];
  const fetchedAt = performance.now();

  const stitched = await deps.split.stitch(
    {
      chunks: local.slice(0, chunks.length),
      audio: audio === null ? null : (local.at(-1) ?? null),
      output: join(input.workDir, `${input.attemptId}.${input.profile.container}`),
      container: input.profile.container,
      source: input.source,
      target,
      seamFrames: seamFramesOf(chunks),
      audioSampleRate: audio === null ? null : (input.profile.audio?.sampleRate ?? null),
      ...(input.profile.keepSubtitles === undefined ? {} : { keepSubtitles: input.profile.keepSubtitles }),
    },
    signal,
  );
  if (signal.aborted) return failed("cancelled", "the stitch was cancelled");
  if (stitched._tag === "StitchRejected") {
    const at = stitched.seamIndex === null ? "" : ` at seam ${stitched.seamIndex}`;
    return failed(
      "input",
      `stitch check ${stitched.check} failed${at}: ${stitched.message} ${stitched.hint}`,
      stitched.code,
    );
  }
  input.onProgress(tick(60));
  const stitchedAt = performance.now();

  const seams =
    seamsOfChunks(chunks, target.frameRate, task.rendition) ??
    (await deps.split.measureSeams({
      output: stitched.path,
      source: input.source,
      target,
      seamFrames: seamFramesOf(chunks),
      signal,
    }));
  if (signal.aborted) return failed("cancelled", "the stitch was cancelled");
  input.onProgress(tick(100));
  return {
    _tag: "Encoded",
    path: stitched.path,
    sizeBytes: stitched.sizeBytes,
    checksum: stitched.checksum,
    durationSec: stitched.durationSec,
    stitch: {
      ...reportOf(stitched.frameCount, seams),
      timings: {
        fetchMs: Math.round(fetchedAt - startedAt),
        stitchMs: Math.round(stitchedAt - fetchedAt),
        seamsMs: Math.round(performance.now() - stitchedAt),
      },
    },
  };
}

function reportOf(frameCount: number, seams: SeamReport | SeamSsimFailed): StitchReport {
  if (seams._tag === "SeamSsimFailed") {
    return { frameCount, meanSsim: null, seams: [], seamsUnmeasured: seams.message };
  }
  const unmeasured = seams.seams.filter((seam) => !Number.isFinite(seam.ssim)).map((seam) => seam.index);
  if (!Number.isFinite(seams.meanSsim) || unmeasured.length > 0) {
    const which = unmeasured.length > 0 ? `seams ${unmeasured.join(", ")}` : "the mean";
    return { frameCount, meanSsim: null, seams: [], seamsUnmeasured: `no SSIM values for ${which}` };
  }
  return {
    frameCount,
    meanSsim: seams.meanSsim,
    seams: seams.seams.map(({ index, timeSec, ssim, delta }) => ({ index, timeSec, ssim, delta })),
  };
}
