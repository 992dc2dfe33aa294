// Plans each submitted job: checks and probes its source, records what the probe found and plans one
// task over the whole duration (split & stitch comes later). A source that is not usable media fails
// the job (WE-JOB-007), one that cannot be reached or may not be fetched too (WE-JOB-002); a probe that
// fails on our side is retried, never blamed on the user.
import type { JobCommand } from "../../domain/job/commands.ts";
import { isTerminal } from "../../domain/job/jobState.ts";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import type { ReactorDefinition } from "../../domain/ports/reactor.ts";
import type { EncoderPlugin, SourceInfo } from "../../plugins/sdk/encoderPlugin.ts";
import type { SourceStorage } from "../../plugins/sdk/mediaStorage.ts";
import { encoderInputOf, resolveSource } from "../../plugins/sdk/sources/resolveSource.ts";
import type { RemoteSourceOptions } from "../../plugins/sdk/sources/ssrfGuard.ts";
import type { SourceMetadata } from "../../schemas/events/jobEvents.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { contextOfEvent } from "../reactionContext.ts";
import { taskIdOf } from "../taskIdOf.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";
import { failJobOfEvent } from "./failJobOfEvent.ts";

export interface JobPlannerDeps {
  jobs: JobCommands;
  encoder: Pick<EncoderPlugin, "probe">;
  /** Reads fs:// and s3:// sources through the storage provider of their scheme. */
  storage: SourceStorage;
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
    const info = await deps.encoder.probe(encoderInputOf(source));
    if (info._tag === "ProbeFailure") {
      if (info.reason === "probe_error") throw new ProbeUnavailable(`job ${jobId}: ${info.message}`);
      const code = UNREACHABLE_REASONS.has(info.reason) ? "WE-JOB-002" : "WE-JOB-007";
      await execute({ type: "FailProbe", data: { message: info.message, code } });
      return;
    }
    const storedSize = source._tag === "StoredSource" ? source.sizeBytes : null;
    probe = await execute({ type: "RecordProbe", data: sourceMetadataOf(info, storedSize) });
    if (probe === null) return;
  }
  await execute({
    type: "PlanJob",
    data: {
      tasks: [
        { taskId: taskIdOf(jobId, 0), sequenceIndex: 0, startTimeSec: 0, endTimeSec: probe.durationSec },
      ],
    },
  });
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
