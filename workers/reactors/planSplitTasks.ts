// Smart chunking: a job is split only when several healthy workers can take its chunks and its source
// is long enough for two segments; then the domain's policy cuts it, the encoder times each chunk
// frame-exactly, and the plan is chunks, the audio of the whole source (when it has any) and the stitch.
import { balanceSegments, evenCuts } from "../../domain/job/balanceSegments.ts";
import { chunkCount } from "../../domain/job/chunkCount.ts";
import { defaultSegmentBounds, planSegments, type SegmentBounds } from "../../domain/job/planSegments.ts";
import type { EncodeProfile, SourceInfo } from "../../plugins/sdk/encoderPlugin.ts";
import type { SplitEncoding } from "../../plugins/sdk/splitEncoding.ts";
import type { PlannedTask } from "../../schemas/events/jobEvents.ts";
import { taskIdOf } from "../taskIdOf.ts";

/** The kernel's view of the pool: workers online, not draining, heard from lately. */
export interface WorkerPoolView {
  healthyWorkers(): Promise<number>;
}

export interface SplitTaskDeps {
  /** Planning reads frames and times chunks; it never encodes. */
  encoder: { split?: Pick<SplitEncoding, "probeFrames" | "planSplit"> | undefined };
  workerPool?: WorkerPoolView | undefined;
  /** Segment bounds for profiles that set none; the platform's defaults when absent. */
  segmentBounds?: SegmentBounds | undefined;
}

/** Why a job runs as one task, for the log. */
export interface NotSplit {
  readonly _tag: "NotSplit";
  readonly reason: string;
}

/** The source's own index promises frames its file does not hold: cut short in a copy or an upload. */
export interface SourceTruncated {
  readonly _tag: "SourceTruncated";
  readonly message: string;
}

export async function planSplitTasks(
  deps: SplitTaskDeps,
  jobId: string,
  profile: EncodeProfile,
  source: SourceInfo,
): Promise<PlannedTask[] | NotSplit | SourceTruncated> {
  const split = deps.encoder.split;
  if (split === undefined) return notSplit("the encoder plugin does not split");
  const bounds = profile.segmentBounds ?? deps.segmentBounds ?? defaultSegmentBounds;
  if (source.durationSec < 2 * bounds.minSec) return notSplit("the source is shorter than two segments");
  const healthy = (await deps.workerPool?.healthyWorkers()) ?? 1;
  if (chunkCount(healthy, 2) < 2) return notSplit(`${healthy} healthy worker${healthy === 1 ? "" : "s"}`);
  // Cut points need every frame's time, read from the packet headers of a source the platform holds
  // (a source read over http(s) is read through the egress proxy, as the encodes read it).
  const frames = await split.probeFrames(source.input, source.video.index);
  if (frames._tag === "ProbeFailure") return notSplit(`its frames could not be read: ${frames.message}`);
  const declared = frames.declaredFrameCount;
  if (declared !== null && frames.frameCount < declared - Math.max(1, declared * 0.01)) {
    return {
      _tag: "SourceTruncated",
      message: `The source is truncated: its index lists ${declared} video frames, its file holds ${frames.frameCount} (up to ${frames.endSec.toFixed(2)} s of ${source.durationSec.toFixed(2)} s). Upload or copy it again in full.`,
    };
  }
  const cutSource = {
    durationSec: frames.endSec,
    frameTimesSec: frames.frameTimesSec,
    keyframeTimesSec: frames.keyframeTimesSec,
  };
  const balanced = balanceSegments(bounds, frames.endSec, healthy);
  const planned = planSegments(cutSource, balanced);
  if (!Array.isArray(planned)) return notSplit((planned as { message: string }).message);
  if (planned.length < 2) return notSplit("its keyframes and the bounds leave one segment");
  // the audio runs beside the chunks (each worker's light lane): the chunks share the time evenly
  const segments = evenCuts(planned, cutSource, healthy, bounds);

  const plan = split.planSplit(profile, source, frames, segments);
  const chunks: PlannedTask[] = segments.map((segment, index) => ({
    taskId: taskIdOf(jobId, index),
    sequenceIndex: index,
    startTimeSec: segment.startSec,
    endTimeSec: segment.endSec,
    kind: "video",
    chunk: { ...plan.chunks[index]! },
  }));
  const whole = { startTimeSec: 0, endTimeSec: frames.endSec };
  const audio: PlannedTask[] =
    source.audio === null || profile.audio === null
      ? []
      : [{ taskId: taskIdOf(jobId, chunks.length), sequenceIndex: chunks.length, ...whole, kind: "audio" }];
  const stitchIndex = chunks.length + audio.length;
  return [
    ...chunks,
    ...audio,
    {
      taskId: taskIdOf(jobId, stitchIndex),
      sequenceIndex: stitchIndex,
      ...whole,
      kind: "stitch",
      stitch: { ...plan.target },
    },
  ];
}

const notSplit = (reason: string): NotSplit => ({ _tag: "NotSplit", reason });
