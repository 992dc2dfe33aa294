// Plans each submitted job: checks and probes its source, records what the probe found and plans its
// tasks — chunks, audio and stitch when several workers can share it, else one task over the whole
// duration (planSplitTasks.ts). A source that is not usable media fails
// the job (WE-JOB-007), one that cannot be reached or may not be fetched too (WE-JOB-002); a probe that
// fails on our side is retried, never blamed on the user.
import type { JobCommand } from "../../domain/job/commands.ts";
import { isTerminal } from "../../domain/job/jobState.ts";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import type { ReactorDefinition } from "../../domain/ports/reactor.ts";
import { encodeProfileOf } from "../../plugins/sdk/encodeProfileOf.ts";
import type {
  AudioSourceInfo,
  EncodeProfile,
  EncoderPlugin,
  SourceInfo,
} from "../../plugins/sdk/encoderPlugin.ts";
import type { SourceStorage } from "../../plugins/sdk/mediaStorage.ts";
import { encoderInputOf, resolveSource } from "../../plugins/sdk/sources/resolveSource.ts";
import type { RemoteSourceOptions } from "../../plugins/sdk/sources/ssrfGuard.ts";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import type { PlannedTask, SourceMetadata } from "../../schemas/events/jobEvents.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { contextOfEvent } from "../reactionContext.ts";
import { taskIdOf } from "../taskIdOf.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";
import { ensureHlsKey } from "./ensureHlsKey.ts";
import { failJobOfEvent } from "./failJobOfEvent.ts";
import { planAudioOnlyTasks } from "./planAudioOnlyTasks.ts";
import { needsGraphPlan, planLadderTasks } from "./planLadderTasks.ts";
import { planSplitTasks, type SplitTaskDeps } from "./planSplitTasks.ts";

export interface JobPlannerDeps extends Omit<SplitTaskDeps, "encoder"> {
  jobs: JobCommands;
  encoder: Pick<EncoderPlugin, "probe" | "split" | "outputs" | "audioOnly">;
  /** The profiles jobs name: their split bounds and attempts. Without them every job is one task. */
  profiles?: Readonly<Record<string, EncodeProfile>>;
  /**
   * Reads fs:// and s3:// sources through the storage provider of their scheme; the job storage keeps
   * the HLS AES-128 key of a job whose package is encrypted.
   */
  storage: SourceStorage & { readonly jobs?: StorageProvider };
  remoteSources?: RemoteSourceOptions;
  log?: WorkerLog;
}

/** The probe failed on our side (ffprobe missing, crashed, timed out): try the event again later. */
export class ProbeUnavailable extends Error {
  override name = "ProbeUnavailable";
}

/** The storage holding the source failed (unavailable, full): try the event again later. */
export class SourceStorageUnavailable extends Error {
  override name = "SourceStorageUnavailable";
}

export function jobPlanner(deps: JobPlannerDeps): ReactorDefinition {
  return {
    name: "job-planner",
    filter: { streamPrefixes: [jobStream.prefix], eventTypes: ["JobSubmitted"] },
    handle: (event) => planSubmittedJob(deps, event),
    onPoison: failJobOfEvent(deps.jobs, "job planner"),
  };
}

/** The source's side: it cannot be reached, or it leads where the platform does not fetch from. */
const UNREACHABLE_REASONS = new Set(["refused", "unreachable"]);

/** Idempotent: a job already probed is not probed again, a job already planned is left alone. */
export async function planSubmittedJob(deps: JobPlannerDeps, event: RecordedEvent): Promise<void> {
  const log = deps.log ?? silentLog;
  const parsed = parseStoredEvent(event);
  if (parsed._tag !== "Parsed" || parsed.event.type !== "JobSubmitted") {
    log("error", `job planner: cannot read ${event.type} at position ${event.position}: ${parsed._tag}`);
    return;
  }
  const { jobId, sourceUrl } = parsed.event.data;
  const { state } = await deps.jobs.load(jobId);
  if (state.status === "initial" || state.deleted || isTerminal(state.status) || state.tasksTotal > 0) return;

  const context = contextOfEvent(event);
  const execute = async (command: JobCommand): Promise<SourceMetadata | null> => {
    const result = await deps.jobs.execute(jobId, command, context);
    if (result._tag === "JobRejected") {
      log("info", `job ${jobId}: ${command.type} refused (${result.code}): ${result.message}`);
      return null;
    }
    return result.state.status === "initial" ? null : result.state.probe;
  };

  let probe = state.probe;
  let info: SourceInfo | null = null;
  if (probe === null) {
    const source = await resolveSource(sourceUrl, deps);
    if (source._tag === "StorageFailure")
      throw new SourceStorageUnavailable(`job ${jobId}: ${source.message} ${source.hint}`);
    if (source._tag === "SourceRefused") {
      await execute({
        type: "FailProbe",
        data: { message: `${source.message} ${source.hint}`, code: "WE-JOB-002" },
      });
      return;
    }
    // Playlists and lists that name other files are refused by the encoder itself, before it opens any.
    const probed = await deps.encoder.probe(encoderInputOf(source));
    // A podcast or music: encoded to audio outputs by an encoder that can, else refused as before.
    const audioOnly =
      probed._tag === "ProbeFailure" && probed.reason === "no_video" && deps.encoder.audioOnly !== undefined
        ? await deps.encoder.audioOnly.probe(encoderInputOf(source))
        : null;
    if (audioOnly?._tag === "ProbeFailure" && audioOnly.reason === "probe_error")
      throw new ProbeUnavailable(`job ${jobId}: ${audioOnly.message}`);
    if (audioOnly?._tag === "AudioSourceInfo") {
      const storedSize = source._tag === "StoredSource" ? source.sizeBytes : null;
      probe = await execute({ type: "RecordProbe", data: audioSourceMetadataOf(audioOnly, storedSize) });
      if (probe === null) return;
    } else if (probed._tag === "ProbeFailure") {
      if (probed.reason === "probe_error") throw new ProbeUnavailable(`job ${jobId}: ${probed.message}`);
      const code = UNREACHABLE_REASONS.has(probed.reason) ? "WE-JOB-002" : "WE-JOB-007";
      await execute({ type: "FailProbe", data: { message: probed.message, code } });
      return;
    } else {
      info = probed;
      const storedSize = source._tag === "StoredSource" ? source.sizeBytes : null;
      probe = await execute({ type: "RecordProbe", data: sourceMetadataOf(probed, storedSize) });
      if (probe === null) return;
    }
  }
  // The profile as the job recorded it when submitted; jobs from before stored profiles name a built-in.
  const spec = state.profile;
  const profile =
    spec !== undefined
      ? encodeProfileOf(spec)
      : deps.profiles && Object.hasOwn(deps.profiles, state.profileId)
        ? deps.profiles[state.profileId]
        : undefined;
  const maxAttempts = profile?.maxAttempts;
  const whole = [
    { taskId: taskIdOf(jobId, 0), sequenceIndex: 0, startTimeSec: 0, endTimeSec: probe.durationSec },
  ];
  let tasks: PlannedTask[] = whole;
  if (probe.video === null) {
    const planned = planAudioOnlyTasks(jobId, spec ?? profileSpecOf(profile), probe.durationSec);
    if (!Array.isArray(planned)) {
      await execute({ type: "FailJob", data: { code: "WE-JOB-007", message: planned.message } });
      return;
    }
    tasks = planned;
  } else if (spec !== undefined && needsGraphPlan(spec)) {
    info ??= await probeAgain(deps, sourceUrl);
    const media = deps.encoder.outputs;
    const graph =
      info === null
        ? ({ _tag: "NotSplit", reason: "the source could not be probed again" } as const)
        : await planLadderTasks(
            {
              ...deps,
              encodeProfileOf,
              ...(media === undefined
                ? {}
                : {
                    subtitleTrackCount: async (input: string) => {
                      const tracks = await media.subtitleTracks(input);
                      return "_tag" in tracks ? 0 : tracks.filter((track) => track.text).length;
                    },
                  }),
            },
            jobId,
            spec,
            info,
          );
    if (!Array.isArray(graph)) {
      // A ladder, a package or thumbnails cannot be made as one plain task: the job fails and says why.
      if (graph._tag === "SourceTruncated") {
        await execute({ type: "FailProbe", data: { message: graph.message, code: "WE-JOB-007" } });
        return;
      }
      await execute({
        type: "FailJob",
        data: {
          code: "WE-JOB-008",
          message: `The job's profile makes several outputs, which needs the source's frames read first, and ${graph.reason}. Upload the source (or copy it into the media folder or a bucket) and submit it from there.`,
        },
      });
      return;
    }
    tasks = graph;
  } else if (profile !== undefined) {
    // A probe recorded by an earlier delivery is probed again here: the split needs the whole SourceInfo.
    info ??= await probeAgain(deps, sourceUrl);
    const split = info === null ? null : await planSplitTasks(deps, jobId, profile, info);
    if (split !== null && !Array.isArray(split) && split._tag === "SourceTruncated") {
      await execute({ type: "FailProbe", data: { message: split.message, code: "WE-JOB-007" } });
      return;
    }
    if (Array.isArray(split)) tasks = split;
    else if (split !== null) log("info", `job ${jobId} runs as one task: ${split.reason}`);
  }
  if (spec?.packaging?.encryption === "aes-128" && tasks.some((task) => task.kind === "package")) {
    // The key exists before any package task can run.
    if (deps.storage.jobs === undefined)
      throw new Error(`job ${jobId}: no job storage to keep its HLS key in`);
    const failed = await ensureHlsKey(deps.storage.jobs, jobId);
    if (failed !== null)
      throw new SourceStorageUnavailable(`job ${jobId}: its HLS key: ${failed.message} ${failed.hint}`);
  }
  await execute({
    type: "PlanJob",
    data: { tasks, ...(maxAttempts === undefined ? {} : { maxAttempts }) },
  });
}

async function probeAgain(deps: JobPlannerDeps, sourceUrl: string): Promise<SourceInfo | null> {
  const source = await resolveSource(sourceUrl, deps);
  if (source._tag !== "StoredSource" && source._tag !== "RemoteSource") return null;
  const probed = await deps.encoder.probe(encoderInputOf(source));
  return probed._tag === "SourceInfo" ? probed : null;
}

/** What a built-in profile without a stored spec says of audio and packaging (it packages nothing). */
const profileSpecOf = (profile: EncodeProfile | undefined) =>
  profile === undefined ? undefined : { audio: profile.audio, packaging: null };

/** What the job records of an audio-only source: no video, its first track's audio. */
export function audioSourceMetadataOf(info: AudioSourceInfo, storedSize: number | null): SourceMetadata {
  const first = info.tracks[0];
  return {
    durationSec: info.durationSec,
    format: info.formatName || "unknown",
    sizeBytes: storedSize ?? 0,
    video: null,
    audio:
      first?.channels !== undefined && first.sampleRate !== undefined
        ? { codec: first.codec, channels: first.channels, sampleRate: first.sampleRate }
        : null,
  };
}

const frameRateValue = (rational: string): number | null => {
  const [num, den] = rational.split("/").map(Number);
  const value = (num ?? Number.NaN) / (den ?? Number.NaN);
  return Number.isFinite(value) && value > 0 ? value : null;
};

/** What the job records of a probe; `storedSize` stands in when the container did not state its size. */
export function sourceMetadataOf(info: SourceInfo, storedSize: number | null): SourceMetadata {
  const { video, audio } = info;
  const fps = video.variableFrameRate
    ? (frameRateValue(video.avgFrameRate) ?? frameRateValue(video.frameRate))
    : (frameRateValue(video.frameRate) ?? frameRateValue(video.avgFrameRate));
  return {
    durationSec: info.durationSec,
    format: info.formatName,
    sizeBytes: storedSize ?? info.sizeBytes ?? 0,
    video: {
      codec: video.codec,
      width: video.width,
      height: video.height,
      // The plugin always reports a rate (25/1 when ffprobe gives none), so this stays positive.
      fps: Math.round((fps ?? 25) * 1000) / 1000,
      rotation: video.rotation,
      vfr: video.variableFrameRate,
      pixFmt: video.pixFmt ?? "unknown",
    },
    audio:
      audio && audio.channels > 0 && audio.sampleRate > 0
        ? { codec: audio.codec, channels: audio.channels, sampleRate: audio.sampleRate }
        : null,
  };
}
