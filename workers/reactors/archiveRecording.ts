// On RecordingReady of a session that was recorded (its stream had archive on), submit one VOD job from
// the recording (source_type stream, the archive profile) and note it on the stream. The job's id comes
// from the stream and session, so a replay finds the job already there and only notes it.
import type { CommandContext } from "../../domain/ports/commandOutcome.ts";
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import type { ReactorDefinition } from "../../domain/ports/reactor.ts";
import { archiveJobId } from "../../domain/stream/archiveJobId.ts";
import type { StreamState } from "../../domain/stream/streamState.ts";
import { parseStreamEvent } from "../../schemas/events/streamEvents.ts";
import { liveStream } from "../../schemas/events/streamNames.ts";
import type { ProfileSpec } from "../../schemas/profiles/profileSpec.ts";
import { contextOfEvent } from "../reactionContext.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";

/** The profile archives are encoded with: H.264 up to 720p (never upscaled). */
export const ARCHIVE_PROFILE_ID = "720p_h264";

export interface ArchiveRecordingDeps {
  jobs: JobCommands;
  /** The stream as its log says it is now. */
  loadStream(streamId: string): Promise<StreamState>;
  recordArchiveJob(
    streamId: string,
    sessionId: string,
    jobId: string,
    context: CommandContext,
  ): Promise<void>;
  /** The profile a job is submitted with, as it is now; null when it no longer exists. */
  loadProfile(profileId: string): Promise<ProfileSpec | null>;
  /** The source URL a job reads the recording (a key in job storage) from. */
  sourceOf(recording: { streamId: string; sessionId: string; objectKey: string }): Promise<string>;
  log?: WorkerLog;
}

export function archiveRecording(deps: ArchiveRecordingDeps): ReactorDefinition {
  const log = deps.log ?? silentLog;
  return {
    name: "archive-recording",
    filter: { streamPrefixes: [liveStream.prefix], eventTypes: ["RecordingReady"] },
    async handle(recorded) {
      const parsed = parseStreamEvent(recorded);
      if (parsed._tag !== "Parsed" || parsed.event.type !== "RecordingReady") return;
      const { streamId, sessionId, objectKey } = parsed.event.data;
      const state = await deps.loadStream(streamId);
      if (state.status !== "active") return;
      const past = state.sessions[sessionId];
      if (past === undefined || !past.record || past.archiveJobId !== null) return;
      const jobId = archiveJobId(streamId, sessionId);
      const context = contextOfEvent(recorded);
      const { state: job } = await deps.jobs.load(jobId);
      if (job.status === "initial") {
        const profile = await deps.loadProfile(ARCHIVE_PROFILE_ID);
        if (profile === null) {
          log(
            "warn",
            `archive of stream ${streamId}: profile ${ARCHIVE_PROFILE_ID} is gone; no job submitted`,
          );
          return;
        }
        const sourceUrl = await deps.sourceOf({ streamId, sessionId, objectKey });
        const result = await deps.jobs.execute(
          jobId,
          {
            type: "SubmitJob",
            data: {
              jobId,
              userId: context.actor.userId,
              sourceType: "stream",
              sourceUrl,
              profileId: ARCHIVE_PROFILE_ID,
              profile,
              outputConfig: {},
            },
          },
          context,
        );
        if (result._tag === "JobRejected") {
          log(
            "info",
            `archive of stream ${streamId}: job ${jobId} refused (${result.code}): ${result.message}`,
          );
          return;
        }
      }
      await deps.recordArchiveJob(streamId, sessionId, jobId, context);
    },
  };
}
