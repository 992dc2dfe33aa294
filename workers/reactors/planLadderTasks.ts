// The plan of a job whose profile asks for more than one progressive file: every rendition of its ladder
// (cut into frame-exact chunks when several workers can share it, each chunk making every tier of its
// range from one decode, then each tier stitched), the audio once, the subtitles and thumbnails beside
// them, and the package (HLS/DASH) over all of it. A ladder without packaging makes each rendition a
// progressive file with the audio muxed in.
import { planLadder } from "../../domain/encoding/planLadder.ts";
import { balanceSegments, evenCuts } from "../../domain/job/balanceSegments.ts";
import { chunkCount } from "../../domain/job/chunkCount.ts";
import { defaultSegmentBounds, planSegments } from "../../domain/job/planSegments.ts";
import type { EncodeProfile, SourceFrames, SourceInfo } from "../../plugins/sdk/encoderPlugin.ts";
import type { ChunkTiming } from "../../plugins/sdk/splitEncoding.ts";
import type { PlannedTask } from "../../schemas/events/jobEvents.ts";
import type { LadderTier, ProfileSpec } from "../../schemas/profiles/profileSpec.ts";
import { taskIdOf } from "../taskIdOf.ts";
import type { NotSplit, SourceTruncated, SplitTaskDeps } from "./planSplitTasks.ts";

export interface LadderTaskDeps extends SplitTaskDeps {
  /** The encoder's view of the profile, or of one tier of its ladder. */
  encodeProfileOf(spec: ProfileSpec, tier?: LadderTier): EncodeProfile;
  /** How many subtitle tracks the source has (the planner adds a subtitles task only when there are). */
  subtitleTrackCount?(input: string): Promise<number>;
}

/**
 * Whether a profile needs more than today's one file: a ladder, a package, thumbnails or subtitle files.
 * Subtitles burnt in or passed through live inside the video's own file.
 */
export const needsGraphPlan = (spec: ProfileSpec): boolean =>
  spec.ladder.some((tier) => tier.enabled) ||
  spec.packaging !== null ||
  spec.thumbnails !== null ||
  spec.subtitles === "extract";

/** The source's frame as shown, after rotation and sample aspect ratio. */
export function displaySize(source: SourceInfo): { width: number; height: number } {
  const [num, den] = source.video.sampleAspectRatio;
  const width = Math.round((source.video.width * num) / (den || 1));
  const turned = source.video.rotation === 90 || source.video.rotation === 270;
  return turned ? { width: source.video.height, height: width } : { width, height: source.video.height };
}

export async function planLadderTasks(
  deps: LadderTaskDeps,
  jobId: string,
  spec: ProfileSpec,
  source: SourceInfo,
): Promise<PlannedTask[] | NotSplit | SourceTruncated> {
  const split = deps.encoder.split;
  if (split === undefined) return { _tag: "NotSplit", reason: "the encoder plugin does not split" };
  const frames = await split.probeFrames(source.input, source.video.index);
  if (frames._tag === "ProbeFailure")
    return { _tag: "NotSplit", reason: `its frames could not be read: ${frames.message}` };
  const truncated = truncation(frames, source);
  if (truncated) return truncated;

  const tiers = spec.ladder.some((tier) => tier.enabled) ? planLadder(spec.ladder, displaySize(source)) : [];
  const renditions: { name: string | undefined; profile: EncodeProfile }[] =
    tiers.length === 0
      ? [{ name: undefined, profile: deps.encodeProfileOf(spec) }]
      : tiers.map((tier) => ({ name: tier.name, profile: deps.encodeProfileOf(spec, tier) }));
  const packaged = spec.packaging !== null;
  const healthy = (await deps.workerPool?.healthyWorkers()) ?? 1;
  const bounds = spec.segmentBounds ?? deps.segmentBounds ?? defaultSegmentBounds;

  const tasks: PlannedTask[] = [];
  const add = (task: Omit<PlannedTask, "taskId" | "sequenceIndex">): string => {
    const taskId = taskIdOf(jobId, tasks.length);
    tasks.push({ taskId, sequenceIndex: tasks.length, ...task } as PlannedTask);
    return taskId;
  };
  const whole = { startTimeSec: 0, endTimeSec: frames.endSec };

  const audioId =
    source.audio !== null && spec.audio !== null ? add({ ...whole, kind: "audio", dependsOn: [] }) : null;
  // Extracted to files; or, kept as they are, carried by the package as WebVTT (its container has no
  // other way): passthrough without a package keeps them in each progressive file instead.
  const subtitleTracks =
    spec.subtitles === "extract" || (spec.subtitles === "passthrough" && packaged)
      ? ((await deps.subtitleTrackCount?.(source.input)) ?? 0)
      : 0;
  const subtitlesId = subtitleTracks > 0 ? add({ ...whole, kind: "subtitles", dependsOn: [] }) : null;
  if (spec.thumbnails !== null) add({ ...whole, kind: "thumbnails", dependsOn: [] });

  const cutSource = {
    durationSec: frames.endSec,
    frameTimesSec: frames.frameTimesSec,
    keyframeTimesSec: frames.keyframeTimesSec,
  };
  const splitUp =
    chunkCount(healthy, 2) >= 2 && frames.endSec >= 2 * bounds.minSec
      ? planSegments(cutSource, balanceSegments(bounds, frames.endSec, healthy))
      : null;
  // the chunks share the time evenly, so that the workers finish together (a ladder's package then
  // moves each cut onto its keyframe grid)
  const segments =
    Array.isArray(splitUp) && splitUp.length >= 2
      ? evenCuts(splitUp, cutSource, healthy, bounds)
      : [{ startSec: 0, endSec: frames.endSec }];
  const plans = renditions.map((rendition) => split.planSplit(rendition.profile, source, frames, segments));

  const renditionOutputs: string[] = [];
  // A package takes video-only renditions; a progressive file of its own needs the audio muxed in.
  const muxAudio = !packaged && audioId !== null;
  // Unsplit tiers of a package cut the same way are made by one task from one decode of the source, as
  // a one-command ladder does: decoding a 1080p source once instead of once a tier.
  const names = renditions.flatMap((rendition) => (rendition.name === undefined ? [] : [rendition.name]));
  const timing = plans[0]?.chunks[0];
  const together =
    packaged &&
    segments.length === 1 &&
    names.length >= 2 &&
    plans.every((plan) => sameTiming(plan.chunks[0], timing));
  if (together && timing !== undefined) {
    renditionOutputs.push(
      add({ ...whole, kind: "video", renditions: names, chunk: { ...timing }, dependsOn: [] }),
    );
  }
  // Split tiers cut the same way are made chunk by chunk: each chunk task encodes every tier of its
  // range from one decode, and each tier's stitch takes its own file from every chunk.
  const chunkedTogether =
    segments.length >= 2 &&
    names.length >= 2 &&
    segments.every((_, index) =>
      plans.every((plan) => sameTiming(plan.chunks[index], plans[0]?.chunks[index])),
    );
  if (chunkedTogether) {
    const chunkIds = segments.map((segment, index) =>
      add({
        startTimeSec: segment.startSec,
        endTimeSec: segment.endSec,
        kind: "video",
        renditions: names,
        chunk: { ...plans[0]!.chunks[index]! },
        dependsOn: [],
      }),
    );
    for (const [index, name] of names.entries()) {
      renditionOutputs.push(
        add({
          ...whole,
          kind: "stitch",
          rendition: name,
          stitch: { ...plans[index]!.target },
          dependsOn: muxAudio ? [...chunkIds, audioId] : chunkIds,
        }),
      );
    }
  }
  for (const [index, rendition] of together || chunkedTogether ? [] : renditions.entries()) {
    const plan = plans[index]!;
    const named = rendition.name === undefined ? {} : { rendition: rendition.name };
    const chunkIds = segments.map((segment, index) =>
      add({
        startTimeSec: segment.startSec,
        endTimeSec: segment.endSec,
        kind: "video",
        ...named,
        chunk: { ...plan.chunks[index]! },
        dependsOn: [],
      }),
    );
    if (chunkIds.length === 1 && !muxAudio) {
      renditionOutputs.push(chunkIds[0]!);
      continue;
    }
    renditionOutputs.push(
      add({
        ...whole,
        kind: "stitch",
        ...named,
        stitch: { ...plan.target },
        dependsOn: muxAudio ? [...chunkIds, audioId] : chunkIds,
      }),
    );
  }
  if (packaged) {
    add({
      ...whole,
      kind: "package",
      dependsOn: [
        ...renditionOutputs,
        ...(audioId === null ? [] : [audioId]),
        ...(subtitlesId === null ? [] : [subtitlesId]),
      ],
    });
  }
  return tasks;
}

const sameTiming = (a: ChunkTiming | undefined, b: ChunkTiming | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.seekSec === b.seekSec &&
  a.firstFrame === b.firstFrame &&
  a.frameCount === b.frameCount &&
  a.gridStartSec === b.gridStartSec &&
  a.durationSec === b.durationSec;

function truncation(frames: SourceFrames, source: SourceInfo): SourceTruncated | null {
  const declared = frames.declaredFrameCount;
  if (declared === null || frames.frameCount >= declared - Math.max(1, declared * 0.01)) return null;
  return {
    _tag: "SourceTruncated",
    message: `The source is truncated: its index lists ${declared} video frames, its file holds ${frames.frameCount} (up to ${frames.endSec.toFixed(2)} s of ${source.durationSec.toFixed(2)} s). Upload or copy it again in full.`,
  };
}
