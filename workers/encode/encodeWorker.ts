// An encode worker: takes task attempts from the work queue one at a time, starts them on the job (the
// decider fences attempts), encodes with the encoder plugin and reports the result; a message is acked
// only once its outcome is stored. The queue message is the attempt's lease: heartbeats keep it.
// The encoder writes into this process's own scratch folder; a verified output is put into the job
// storage (storage-fs or a bucket shared by every machine) and only its key travels in the event.
import { hostname } from "node:os";
import { join } from "node:path";
import type { JobCommand } from "../../domain/job/commands.ts";
import { jobWorkFolder } from "../../domain/job/jobFileKeys.ts";
import { isTerminal, type Job, type TaskState } from "../../domain/job/jobState.ts";
import type { CommandContext } from "../../domain/ports/commandOutcome.ts";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { JobCommandResult, JobCommands } from "../../domain/ports/jobCommands.ts";
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import type { WorkLane, WorkMessage, WorkQueue } from "../../domain/ports/workQueue.ts";
import { deletePrefix } from "../../plugins/sdk/deletePrefix.ts";
import { encodeOneByOne } from "../../plugins/sdk/encodeOneByOne.ts";
import { encodeProfileOf } from "../../plugins/sdk/encodeProfileOf.ts";
import type {
  Encoded,
  EncodeFailed,
  EncodeOptions,
  EncodePlan,
  EncodeProfile,
  EncodeProgress,
  EncoderPlugin,
  SourceInfo,
} from "../../plugins/sdk/encoderPlugin.ts";
import type { MediaStorage } from "../../plugins/sdk/mediaStorage.ts";
import { putLocalFile } from "../../plugins/sdk/putLocalFile.ts";
import { removeScratchFolder } from "../../plugins/sdk/removeScratchFolder.ts";
import { encoderInputOf, resolveSource } from "../../plugins/sdk/sources/resolveSource.ts";
import type { RemoteSourceOptions } from "../../plugins/sdk/sources/ssrfGuard.ts";
import type { ChunkEdgeRequest, SeamSsimFailed, SplitEncoding } from "../../plugins/sdk/splitEncoding.ts";
import { isStorageFailure, type ObjectRef } from "../../plugins/sdk/storageProvider.ts";
import type { ChunkEdgeSsimData, TaskFile } from "../../schemas/events/jobEvents.ts";
import { jobStream, workerStream } from "../../schemas/events/streamNames.ts";
import type { WorkerEvent } from "../../schemas/events/workerEvents.ts";
import { reactionContext, workerActor } from "../reactionContext.ts";
import { sleepUnlessAborted } from "../sleepUnlessAborted.ts";
import { taskMessageSchema } from "../taskMessage.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";
import { AVOIDED_RETRY_MS, avoidsThisWorker } from "./avoidsThisWorker.ts";
import { encoderChoiceFor } from "./encoderChoiceFor.ts";
import { fallbackNotice } from "./fallbackNotice.ts";
import type { MachineCapabilities } from "./machineCapabilities.ts";
import { runPackageTask, runSubtitlesTask, runThumbnailsTask, type StoredFiles } from "./mediaTasks.ts";
import { sendHeartbeats } from "./sendHeartbeats.ts";
import { sourceSubtitles } from "./sourceSubtitles.ts";
import { runStitchTask, type StitchedOutput, type StitchFailed } from "./stitchTask.ts";
import { watchDrain } from "./watchDrain.ts";
import { workerEventData } from "./workerEventData.ts";

export interface EncodeWorkerDeps {
  /** Unique per process: the decider tells attempts' owners apart by it. */
  workerId: string;
  /** Starts, completes and fails attempts on their job. */
  jobs: JobCommands;
  /** Where the worker's own events go and where it watches its job for a cancel. */
  store: EventStore;
  queue: WorkQueue;
  progressBus: ProgressBus;
  encoder: EncoderPlugin;
  profiles: Readonly<Record<string, EncodeProfile>>;
  /** Sources by scheme, and the job storage that verified outputs go to. */
  storage: MediaStorage;
  /** This process's own local folder where attempts are encoded before they are stored; never shared. */
  scratchDir: string;
  /** What the worker tells of its machine when it starts (cores, memory, GPUs, version). */
  machine?: MachineCapabilities;
  /** How often it tells the kernel it is alive. Default 5 000. */
  heartbeatIntervalMs?: number;
  /** Kill an encode whose progress has not moved for this long. Default 60 000. */
  stallTimeoutMs?: number;
  /** The queue's ack-wait for this consumer; heartbeats go out at a third of it (at most every 5 s). */
  ackWaitMs?: number;
  /** Take light work (audio, thumbnails, subtitles, stitches, packages) beside an encode. Default true. */
  lightLane?: boolean;
  remoteSources?: RemoteSourceOptions;
  newId: () => string;
  now: () => Date;
  log?: WorkerLog;
}

/** A verified chunk of a split job, its share of the seam figures on the way (measured beside the upload). */
interface EncodedChunk extends Encoded {
  readonly edgeSsim: Promise<ChunkEdgeSsimData>;
}

/** A verified output, put into the job storage under `ref`. */
interface StoredOutput extends Omit<Encoded, "_tag" | "path"> {
  readonly _tag: "StoredOutput";
  readonly ref: ObjectRef;
}

export interface TaskAttempt {
  jobId: string;
  taskId: string;
  attempt: number;
}

export interface EncodeWorker {
  readonly workerId: string;
  /** The attempt being worked on, if any: the encode's when one runs, else the light lane's. */
  current(): TaskAttempt | null;
  /** Stops taking messages; an encode in progress is aborted and its attempt failed as transient. */
  stop(): Promise<void>;
}

/** The lanes a worker takes work from: encodes, and unless turned off the light work beside them. */
const workerLanes = (deps: Pick<EncodeWorkerDeps, "lightLane">): WorkLane[] =>
  deps.lightLane === false ? ["main"] : ["main", "light"];

/** Another worker holds the attempt and its lease is alive: look again after this long. */
const heldElsewhereRetryMs = 5_000;
/** The store could not be reached: let the message come back after this long. */
const storeRetryMs = 2_000;
const milestonePcts = [25, 50, 75] as const;

const failure = (exitClass: EncodeFailed["exitClass"], message: string): EncodeFailed => ({
  _tag: "EncodeFailed",
  exitClass,
  message,
  stderrTail: "",
});

export async function startEncodeWorker(deps: EncodeWorkerDeps): Promise<EncodeWorker> {
  const { workerId, store, queue, encoder } = deps;
  const log = deps.log ?? silentLog;
  const actor = workerActor(workerId);
  const heartbeatMs = Math.min(5_000, Math.max(100, Math.floor((deps.ackWaitMs ?? 30_000) / 3)));

  const reaped = (await encoder.recover?.()) ?? { killed: [], removedPartials: [] };
  if (reaped.killed.length > 0 || reaped.removedPartials.length > 0) {
    log(
      "info",
      `worker ${workerId}: reaped ${reaped.killed.length} orphaned ffmpeg and ${reaped.removedPartials.length} partial outputs`,
    );
  }
  const capabilities = await encoder.capabilities();
  if (capabilities.encoders.length === 0) {
    throw new Error(`worker ${workerId}: no video encoder passed its test encode; check the ffmpeg install`);
  }

  const runId = deps.newId();
  const appendWorkerEvent = async (event: WorkerEvent) => {
    const context = { correlationId: runId, causationId: runId, actor };
    const data = workerEventData(event, { id: deps.newId(), context, occurredAt: deps.now() });
    await store.append(workerStream.name(workerId), [data], { expected: "any" });
  };
  await appendWorkerEvent({
    type: "WorkerStarted",
    data: {
      workerId,
      hostname: hostname(),
      pid: process.pid,
      capabilities: {
        encoders: capabilities.encoders.map(({ name, codec, hardware }) => ({ name, codec, hardware })),
        hwaccels: [...capabilities.hwaccels],
        audioCodecs: [...capabilities.audioCodecs],
        containers: [...capabilities.containers],
        ...deps.machine,
      },
    },
  });
  log("info", `worker ${workerId} started with ${capabilities.encoders.map((e) => e.name).join(", ")}`);

  const stopping = new AbortController();
  // by lane: at most one encode, and one piece of light work beside it
  const running = new Map<WorkLane, TaskAttempt>();
  const drain = await watchDrain(store, workerId, log);
  const heartbeats = sendHeartbeats(
    deps.progressBus,
    () => ({ workerId, runningTasks: running.size, draining: drain.draining() }),
    deps.now,
    deps.heartbeatIntervalMs,
  );

  const execute = async (
    jobId: string,
    command: JobCommand,
    context: CommandContext,
  ): Promise<JobCommandResult> => {
    const result = await deps.jobs.execute(jobId, command, context);
    if (result._tag === "JobRejected") {
      log(
        "info",
        `worker ${workerId}: job ${jobId} refused ${command.type} (${result.code}): ${result.message}`,
      );
    }
    return result;
  };

  const isRunningHere = (ids: TaskAttempt) =>
    [...running.values()].some(
      (r) => r.jobId === ids.jobId && r.taskId === ids.taskId && r.attempt === ids.attempt,
    );

  async function handleMessage(message: WorkMessage, lane: WorkLane): Promise<void> {
    const parsed = taskMessageSchema.safeParse(message.payload);
    if (!parsed.success) {
      log("error", `worker ${workerId}: message ${message.id} is not a task message; dropped`);
      message.term();
      return;
    }
    if (avoidsThisWorker(parsed.data, message.deliveryCount, workerId)) {
      message.nak(AVOIDED_RETRY_MS); // another worker may take it; if none does, this one will
      return;
    }
    const { job_id: jobId, task_id: taskId, attempt, correlation_id } = parsed.data;
    if (isRunningHere({ jobId, taskId, attempt })) {
      // the decider lets a worker start its own attempt again, so its other lane must not take a copy
      log("info", `worker ${workerId}: job ${jobId} task ${taskId}: duplicate of an attempt it runs dropped`);
      await message.ack();
      return;
    }
    const context = reactionContext({ id: message.id, correlationId: correlation_id }, actor);
    const heartbeat = setInterval(() => message.working(), heartbeatMs);
    running.set(lane, { jobId, taskId, attempt });
    try {
      const started = await execute(
        jobId,
        { type: "StartTask", data: { taskId, attempt, workerId, leaseId: message.id } },
        context,
      );
      if (started._tag === "JobRejected") {
        if (started.code !== "WE-JOB-011") {
          // stale attempt, finished or unknown job: nothing left to do for this message
          await message.ack();
        } else if (await isDuplicateOfLease(jobId, taskId, message.id)) {
          // another message for an attempt that runs under its own lease: a duplicate delivery
          log(
            "info",
            `worker ${workerId}: job ${jobId} task ${taskId}: duplicate of a running attempt dropped`,
          );
          await message.ack();
        } else if (message.deliveryCount === 1) {
          message.nak(heldElsewhereRetryMs);
        } else {
          // This message is the lease of the attempt, and it came back: the worker that started the
          // attempt stopped acknowledging it (killed, or cut off). Release the attempt so the decider
          // schedules the next one; the lost worker's late result is then refused as stale.
          await execute(
            jobId,
            {
              type: "FailTask",
              data: {
                taskId,
                attempt,
                exitClass: "transient",
                message: `worker lost: ${started.message}, and its lease ran out`,
                stderrTail: "",
                now: deps.now().toISOString(),
              },
            },
            context,
          );
          await message.ack();
        }
        return;
      }
      const job = started.state;
      const task = job.status === "initial" ? undefined : job.tasks.find((t) => t.taskId === taskId);
      if (!task || task.status !== "running" || task.attempt !== attempt || task.workerId !== workerId) {
        await message.ack(); // a repeat of an attempt that is already over
        return;
      }
      await runAttempt(message, { jobId, taskId, attempt }, context);
    } catch (error) {
      log("error", `worker ${workerId}: job ${jobId} task ${taskId}: ${(error as Error).message}`);
      message.nak(storeRetryMs);
    } finally {
      clearInterval(heartbeat);
      running.delete(lane);
    }
  }

  async function runAttempt(message: WorkMessage, ids: TaskAttempt, context: CommandContext): Promise<void> {
    const { jobId, taskId, attempt } = ids;
    // Aborted when the job ends or the worker stops (a listener, not AbortSignal.any: the worker's
    // signal lives for the whole process and must not collect one dependant per attempt).
    const abort = new AbortController();
    const onStop = () => abort.abort();
    stopping.signal.addEventListener("abort", onStop, { once: true });
    if (stopping.signal.aborted) abort.abort();
    let jobEnded: string | null = null;
    let watch: { close(): Promise<void> } | undefined;
    try {
      // Watch first, then read the job: what the read misses, the watch sees.
      const onJobEnd = (type: string) => {
        jobEnded = type;
        abort.abort();
      };
      watch = await watchJobEnd(store, jobId, onJobEnd, log);
      const { state } = await deps.jobs.load(jobId);
      const task = state.status === "initial" ? undefined : state.tasks.find((t) => t.taskId === taskId);
      if (state.status === "initial" || state.deleted || isTerminal(state.status) || !task) {
        await message.ack();
        return;
      }
      // a milestone that cannot be stored is only progress: never a reason to fail the attempt
      const milestones = milestoneRecorder((pct) =>
        execute(jobId, { type: "RecordTaskProgress", data: { taskId, attempt, pct } }, context).then(
          () => {},
          (error: Error) =>
            log("warn", `worker ${workerId}: job ${jobId}: progress ${pct} % not stored: ${error.message}`),
        ),
      );
      const outcome = await encodeAttempt(state, task, attempt, abort.signal, (progress) => {
        deps.progressBus.publish({
          jobId,
          taskId,
          attempt,
          workerId,
          pct: progress.pct,
          outTimeSec: progress.outTimeSec,
          fps: progress.fps,
          speed: progress.speed,
          etaSeconds: progress.etaSeconds,
          at: deps.now().toISOString(),
        });
        milestones.reached(progress.pct);
      });
      await milestones.settled();

      if (jobEnded !== null) {
        log("info", `worker ${workerId}: job ${jobId} ended (${jobEnded}); attempt ${attempt} abandoned`);
        await message.ack();
        return;
      }
      if (outcome._tag === "StoredFiles") {
        const { _tag, outputKey, files, folder, ...figures } = outcome;
        const completed = await execute(
          jobId,
          {
            type: "CompleteTask",
            data: {
              taskId,
              attempt,
              outputKey,
              ...figures,
              files: [...files],
              ...(folder === undefined ? {} : { folder }),
            },
          },
          context,
        );
        // a refused result leaves the attempt's own folder behind: it is no task's output; files named
        // by their content stay when the task recorded the same bytes from another attempt
        if (completed._tag === "JobRejected") {
          const recorded = await recordedKeys(jobId, taskId);
          if (folder && !recorded.has(outputKey)) await deletePrefix(deps.storage.jobs, folder.prefix);
          if (!folder)
            for (const file of files)
              if (!recorded.has(file.key)) await deps.storage.jobs.delete({ key: file.key });
        }
        await message.ack();
        return;
      }
      const [stored, edgeSsim] =
        outcome._tag === "Encoded"
          ? await Promise.all([
              storeOutput(ids, outcome),
              "edgeSsim" in outcome ? outcome.edgeSsim : undefined,
            ])
          : [outcome, undefined];
      if (stored._tag === "StoredOutput") {
        const stitch = outcome._tag === "Encoded" && "stitch" in outcome ? outcome.stitch : undefined;
        const completed = await execute(
          jobId,
          {
            type: "CompleteTask",
            data: {
              taskId,
              attempt,
              outputKey: stored.ref.key,
              sizeBytes: stored.sizeBytes,
              checksum: stored.checksum,
              durationSec: stored.durationSec,
              ...(stitch === undefined ? {} : { stitch }),
              ...(edgeSsim === undefined ? {} : { edgeSsim }),
            },
          },
          context,
        );
        // A refused result (a newer attempt, a cancelled job) must not stay around looking like output,
        // unless it is the very file the task recorded (another attempt made the same bytes).
        if (completed._tag === "JobRejected" && !(await recordedAs(jobId, taskId, stored.ref.key))) {
          await deps.storage.jobs.delete(stored.ref);
        }
        await message.ack();
        return;
      }
      const failed: StitchFailed = stored;
      const stopped = stopping.signal.aborted && failed.exitClass === "cancelled";
      await execute(
        jobId,
        {
          type: "FailTask",
          data: {
            taskId,
            attempt,
            exitClass: stopped ? "transient" : failed.exitClass,
            message: stopped ? `worker ${workerId} stopped during the encode` : failed.message,
            stderrTail: failed.stderrTail,
            now: deps.now().toISOString(),
            ...(failed.code === undefined ? {} : { code: failed.code }),
          },
        },
        context,
      );
      await message.ack();
    } finally {
      stopping.signal.removeEventListener("abort", onStop);
      await watch?.close();
      // whatever happened, nothing of the attempt stays on this machine: its result is in storage or lost
      await removeScratchFolder(deps.scratchDir, scratchSegments(ids)).catch((error: Error) =>
        log("warn", `worker ${workerId}: scratch of job ${jobId} not removed: ${error.message}`),
      );
    }
  }

  /**
   * Puts a verified output into the job storage at `work/<job>/<task>/<sha256>.<ext>`, named by its
   * content, so a chunk's key says which bytes it holds; the bytes stored must hash to what the encoder
   * verified, else the copy is deleted and the attempt fails as transient.
   */
  async function storeOutput(
    { jobId, taskId }: TaskAttempt,
    encoded: Encoded,
  ): Promise<StoredOutput | EncodeFailed> {
    const extension = /\.(mp4|m4a|mkv|webm)$/i.exec(encoded.path)?.[1]?.toLowerCase() ?? "mp4";
    const ref = {
      key: `${jobWorkFolder(jobId)}/${taskId}/${encoded.checksum.replace(/^sha256:/, "")}.${extension}`,
    };
    const stored = await putLocalFile(deps.storage.jobs, ref, encoded.path, {
      contentType: outputContentTypes[extension] ?? "video/mp4",
    });
    if (isStorageFailure(stored)) {
      return failure("transient", `the output could not be stored: ${stored.message} ${stored.hint}`);
    }
    if (stored.checksum !== encoded.checksum || stored.sizeBytes !== encoded.sizeBytes) {
      await deps.storage.jobs.delete(ref);
      return failure(
        "transient",
        `the stored output (${stored.sizeBytes} bytes, ${stored.checksum}) differs from the verified one (${encoded.sizeBytes} bytes, ${encoded.checksum})`,
      );
    }
    return { ...encoded, _tag: "StoredOutput", ref };
  }

  /** The attempt runs under a lease (queue message) other than `messageId`. */
  async function isDuplicateOfLease(jobId: string, taskId: string, messageId: string): Promise<boolean> {
    const { state } = await deps.jobs.load(jobId);
    const task = state.status === "initial" ? undefined : state.tasks.find((t) => t.taskId === taskId);
    return task?.leaseId != null && task.leaseId !== messageId;
  }

  /** Whether the task's completion recorded this very key as its output. */
  async function recordedAs(jobId: string, taskId: string, key: string): Promise<boolean> {
    return (await recordedKeys(jobId, taskId)).has(key);
  }

  /** The keys the task's completion recorded: its output and the files it listed. */
  async function recordedKeys(jobId: string, taskId: string): Promise<Set<string>> {
    const { state } = await deps.jobs.load(jobId);
    const task = state.status === "initial" ? undefined : state.tasks.find((t) => t.taskId === taskId);
    return new Set([
      ...(task?.outputKey == null ? [] : [task.outputKey]),
      ...(task?.files ?? []).map((file) => file.key),
    ]);
  }

  /**
   * Runs the attempt to its own path by the task's kind: a video encode of the whole source or of one
   * chunk (probed here, planned with the job's profile), the audio of a split job, or its stitch.
   */
  async function encodeAttempt(
    job: Job,
    task: TaskState,
    attempt: number,
    signal: AbortSignal,
    onProgress: (progress: EncodeProgress) => void,
  ): Promise<StitchedOutput | EncodedChunk | Encoded | StitchFailed | StoredFiles> {
    const taskProfile = profileOfTask(job, task, deps.profiles);
    if (!taskProfile) return failure("input", `profile ${job.profileId} is not known to worker ${workerId}`);
    const source = await resolveSource(job.sourceUrl, deps);
    // The planner read this source; if this worker cannot, its storage access is the likelier culprit.
    if (source._tag === "SourceRefused" || source._tag === "StorageFailure")
      return failure("transient", `source not readable here: ${source.message} ${source.hint}`);
    // Subtitles burnt into the picture or kept as soft tracks are part of the video and stitch tasks.
    let subtitleExtras: Partial<EncodeProfile> = {};
    // (a package carries passed-through tracks as WebVTT renditions of its own)
    const subtitleMode =
      job.profile?.subtitles === "passthrough" && job.profile.packaging !== null
        ? "none"
        : (job.profile?.subtitles ?? "none");
    if (
      (task.kind === "video" || task.kind === "stitch") &&
      ["burn_in", "passthrough"].includes(subtitleMode)
    ) {
      const tracks = (await encoder.outputs?.subtitleTracks(encoderInputOf(source))) ?? [];
      if ("_tag" in tracks) return failure(tracks.exitClass, `the source's subtitles: ${tracks.message}`);
      subtitleExtras = sourceSubtitles(subtitleMode, tracks, taskProfile.container);
    }
    const profile: EncodeProfile = { ...taskProfile, ...subtitleExtras };
    const workDir = join(
      deps.scratchDir,
      ...scratchSegments({ jobId: job.jobId, taskId: task.taskId, attempt }),
    );
    const options = {
      workDir,
      attemptId: String(attempt),
      signal,
      onProgress,
      ...(deps.stallTimeoutMs === undefined ? {} : { stallTimeoutMs: deps.stallTimeoutMs }),
    };
    if (task.kind === "thumbnails" || task.kind === "subtitles" || task.kind === "package") {
      const media = encoder.outputs;
      if (media === undefined || job.profile === undefined)
        return failure("input", `worker ${workerId} cannot run a ${task.kind} task for this job`);
      const run = { thumbnails: runThumbnailsTask, subtitles: runSubtitlesTask, package: runPackageTask }[
        task.kind
      ];
      return run(
        { media, jobs: deps.storage.jobs },
        {
          job,
          task,
          spec: job.profile,
          source: encoderInputOf(source),
          workDir,
          attempt,
          signal,
          onProgress,
        },
      );
    }
    if (task.kind === "audio" && job.probe?.video === null) {
      // An audio-only source (a podcast, music): its audio is the job's output.
      const audioOnly = encoder.audioOnly;
      if (audioOnly === undefined)
        return failure("input", `worker ${workerId}'s encoder cannot encode audio-only sources`);
      const audioSource = await audioOnly.probe(encoderInputOf(source));
      if (audioSource._tag === "ProbeFailure")
        return failure(audioSource.reason === "probe_error" ? "transient" : "input", audioSource.message);
      const plan = audioOnly.plan(profile, audioSource);
      if (plan === null) return failure("input", "the job's profile makes no audio");
      return audioOnly.encode(plan, audioSource, options);
    }
    const split = encoder.split;
    if (task.kind !== "video" && split === undefined)
      return failure("input", `worker ${workerId}'s encoder cannot run a ${task.kind} task`);
    if (task.kind === "stitch" && split !== undefined) {
      return runStitchTask(
        { split, jobs: deps.storage.jobs },
        {
          job,
          task,
          profile,
          source: encoderInputOf(source),
          workDir,
          attemptId: String(attempt),
          signal,
          onProgress,
        },
      );
    }
    // The same format allow-list as the planner's, not its verdict: a source may answer otherwise now.
    const info = await encoder.probe(encoderInputOf(source));
    if (info._tag === "ProbeFailure") {
      // A remote failure or a missing file here may pass (the planner could read it); a refusal never does.
      const passing =
        info.reason === "probe_error" || info.reason === "not_found" || info.reason === "unreachable";
      return failure(passing ? "transient" : "input", info.message);
    }
    if (task.kind === "audio" && split !== undefined) {
      const audio = await split.encodeAudio(profile, info, options);
      if (audio._tag === "NoAudio") return failure("input", "the source has no audio track now");
      if (audio._tag === "ProbeFailure") return failure("transient", audio.message);
      return audio;
    }
    // a chunk of a split job measures its sides for its rendition's stitch, beside its upload
    const measure = split?.measureChunkEdges?.bind(split);
    const edgesOf = (rendition: string | null, path: string): Promise<ChunkEdgeSsimData> | undefined => {
      const target =
        job.tasks.find((other) => other.kind === "stitch" && other.rendition === rendition)?.stitch ?? null;
      if (task.chunk === null || target === null || measure === undefined) return undefined;
      const { firstFrame, frameCount } = task.chunk;
      return measureChunkEdges(measure, {
        chunk: path,
        source: encoderInputOf(source),
        target,
        firstFrame,
        frameCount: frameCount ?? target.frameCount - firstFrame,
        signal,
      });
    };
    if (task.renditions.length > 0) {
      const ids = { jobId: job.jobId, taskId: task.taskId, attempt };
      return encodeRenditions(job, task, info, subtitleExtras, options, ids, edgesOf);
    }
    const choice = encoderChoiceFor(job, profile, capabilities, deps.machine);
    if (choice._tag === "NoProvenEncoder") return failure("transient", choice.message);
    let plan: Awaited<ReturnType<EncoderPlugin["plan"]>>;
    try {
      const range = { startSec: task.startTimeSec, endSec: task.endTimeSec };
      plan = await encoder.plan(
        profile,
        info,
        job.tasksTotal === 1 ? undefined : range,
        choice.encoders,
        task.chunk ?? undefined,
      );
    } catch (error) {
      return failure("input", `cannot plan the encode: ${(error as Error).message}`);
    }
    const outcome = await encoder.encode(plan, options);
    const notice = fallbackNotice(outcome);
    if (notice) log("warn", `worker ${workerId}: job ${job.jobId} task ${task.taskId}: ${notice}`);
    if (outcome._tag !== "Encoded") return outcome;
    // the stitch of this chunk's own rendition: each tier's target has its own frame size
    const edgeSsim = edgesOf(task.rendition, outcome.path);
    return edgeSsim === undefined ? outcome : { ...outcome, edgeSsim };
  }

  /**
   * A video task of several tiers: each planned with its own tier and encoder choice, all made at once
   * from one decode where the encoder can, each stored by its content and listed under its tier's name.
   */
  async function encodeRenditions(
    job: Job,
    task: TaskState,
    info: SourceInfo,
    subtitleExtras: Partial<EncodeProfile>,
    options: EncodeOptions,
    ids: TaskAttempt,
    edgesOf: (rendition: string, path: string) => Promise<ChunkEdgeSsimData> | undefined,
  ): Promise<StoredFiles | EncodeFailed> {
    const spec = job.profile;
    if (spec === undefined) return failure("input", "a task of several renditions needs the job's profile");
    const range = { startSec: task.startTimeSec, endSec: task.endTimeSec };
    const plans: EncodePlan[] = [];
    for (const rendition of task.renditions) {
      const tier = spec.ladder.find((t) => t.name === rendition);
      if (tier === undefined)
        return failure("input", `rendition ${rendition} is not a tier of the job's profile`);
      const profile = { ...encodeProfileOf(spec, tier), ...subtitleExtras };
      const choice = encoderChoiceFor(job, profile, capabilities, deps.machine);
      if (choice._tag === "NoProvenEncoder") return failure("transient", choice.message);
      try {
        plans.push(await encoder.plan(profile, info, range, choice.encoders, task.chunk ?? undefined));
      } catch (error) {
        return failure("input", `cannot plan the ${rendition} encode: ${(error as Error).message}`);
      }
    }
    const outcome = encoder.encodeLadder
      ? await encoder.encodeLadder(plans, options)
      : await encodeOneByOne((plan, opts) => encoder.encode(plan, opts), plans, options);
    if (outcome._tag === "EncodeFailed") return outcome;
    const files: TaskFile[] = [];
    for (const [index, encoded] of outcome.outputs.entries()) {
      const rendition = task.renditions[index]!;
      const notice = fallbackNotice(encoded);
      if (notice)
        log("warn", `worker ${workerId}: job ${job.jobId} task ${task.taskId} ${rendition}: ${notice}`);
      // a chunk of a split ladder: each tier's file measures its sides for that tier's stitch
      const [stored, edgeSsim] = await Promise.all([
        storeOutput(ids, encoded),
        edgesOf(rendition, encoded.path),
      ]);
      if (stored._tag === "EncodeFailed") return stored;
      const extension = /\.[a-z0-9]+$/i.exec(stored.ref.key)?.[0] ?? ".mp4";
      files.push({
        name: `${rendition}${extension}`,
        type: "rendition",
        key: stored.ref.key,
        sizeBytes: stored.sizeBytes,
        checksum: stored.checksum,
        rendition,
        ...(edgeSsim === undefined ? {} : { edgeSsim }),
      });
    }
    const [first] = files;
    if (first === undefined) return failure("transient", "the encoder made no rendition");
    return {
      _tag: "StoredFiles",
      outputKey: first.key,
      sizeBytes: first.sizeBytes,
      checksum: first.checksum,
      durationSec: outcome.outputs[0]!.durationSec,
      files,
    };
  }

  const consumeLane = async (lane: WorkLane) => {
    while (!stopping.signal.aborted) {
      // drained: finish nothing new; wait for an undrain (or the stop) before asking the queue again
      await drain.untilUndrained(stopping.signal);
      if (stopping.signal.aborted) break;
      try {
        const consumeOptions = {
          signal: AbortSignal.any([stopping.signal, drain.drainedSignal()]),
          lane,
          ...(deps.ackWaitMs === undefined ? {} : { ackWaitMs: deps.ackWaitMs }),
        };
        for await (const message of queue.consume(consumeOptions)) {
          if (drain.draining()) {
            message.nak(0); // drained while this one was on its way: another worker takes it
            break;
          }
          await handleMessage(message, lane);
          if (stopping.signal.aborted || drain.draining()) break;
        }
      } catch (error) {
        if (stopping.signal.aborted) break;
        if (drain.draining()) continue;
        log("error", `worker ${workerId}: the work queue (${lane} lane) failed: ${(error as Error).message}`);
      }
      await sleepUnlessAborted(1_000, stopping.signal);
    }
  };
  const loop = Promise.all(workerLanes(deps).map(consumeLane));

  return {
    workerId,
    current: () => running.get("main") ?? running.get("light") ?? null,
    async stop() {
      if (stopping.signal.aborted) return void (await loop);
      stopping.abort();
      await loop;
      heartbeats.stop();
      await drain.close();
      await appendWorkerEvent({ type: "WorkerStopped", data: { workerId, reason: "stopped" } }).catch(
        (error: Error) => log("warn", `worker ${workerId}: WorkerStopped not stored: ${error.message}`),
      );
    },
  };
}

/**
 * A chunk's share of the seam figures, or why there is none: a chunk whose measurement fails still
 * counts (its frames are proven by the stitch); its seams are then reported unmeasured.
 */
async function measureChunkEdges(
  measure: NonNullable<SplitEncoding["measureChunkEdges"]>,
  request: ChunkEdgeRequest,
): Promise<ChunkEdgeSsimData> {
  const startedAt = performance.now();
  const measured = await measure(request).catch(
    (error: Error): SeamSsimFailed => ({ _tag: "SeamSsimFailed", message: error.message }),
  );
  const measureMs = Math.round(performance.now() - startedAt);
  if (measured._tag === "SeamSsimFailed") {
    return { first: null, last: null, samples: null, unmeasured: measured.message, measureMs };
  }
  const { first, last, samples } = measured;
  return { first, last, samples, measureMs };
}

/** An attempt's own folder in the scratch space: two attempts of one task never share one. */
const scratchSegments = ({ jobId, taskId, attempt }: TaskAttempt): string[] => [
  jobId,
  taskId,
  String(attempt),
];

/** Stores each newly reached milestone once, in order, without holding up the encode. */
function milestoneRecorder(record: (pct: number) => Promise<void>) {
  let chain: Promise<void> = Promise.resolve();
  let next = 0;
  return {
    reached(pct: number) {
      const milestone = milestonePcts[next];
      if (milestone === undefined || pct < milestone) return;
      while (milestonePcts[next] !== undefined && pct >= milestonePcts[next]!) next++;
      chain = chain.then(() => record(pct));
    },
    settled: () => chain,
  };
}

/** Calls `onEnd` when the job is cancelled or deleted; resolves once the watch is live. */
async function watchJobEnd(
  store: EventStore,
  jobId: string,
  onEnd: (type: string) => void,
  log: WorkerLog,
): Promise<{ close(): Promise<void> }> {
  const subscription = store.subscribeToAll({
    from: "end",
    filter: { streamPrefixes: [jobStream.name(jobId)], eventTypes: ["JobCancelled", "JobDeleted"] },
  });
  let markLive = () => {};
  const live = new Promise<void>((resolve) => {
    markLive = resolve;
  });
  const watching = (async () => {
    for await (const message of subscription) {
      if (message.type === "caughtUp") markLive();
      else if (message.type === "event") onEnd(message.event.type);
    }
  })()
    .catch((error: Error) =>
      log(
        "warn",
        `watch of job ${jobId} failed: ${error.message}; a cancel now stops the attempt only at its end`,
      ),
    )
    .finally(markLive);
  await live;
  return {
    async close() {
      await subscription.close();
      await watching;
    },
  };
}

const outputContentTypes: Record<string, string> = {
  mp4: "video/mp4",
  m4a: "audio/mp4",
  mkv: "video/x-matroska",
  webm: "video/webm",
};

/**
 * The profile a task encodes with: the job's own snapshot (a ladder task's tier over it), else, for jobs
 * submitted before profiles were stored, the built-in of that name.
 */
export function profileOfTask(
  job: Job,
  task: TaskState,
  builtIns: Readonly<Record<string, EncodeProfile>>,
): EncodeProfile | undefined {
  if (job.profile !== undefined) {
    const tier =
      task.rendition === null ? undefined : job.profile.ladder.find((t) => t.name === task.rendition);
    return encodeProfileOf(job.profile, tier);
  }
  return Object.hasOwn(builtIns, job.profileId) ? builtIns[job.profileId] : undefined;
}
