// Deterministic, realistic job event histories (success, retries, failures, cancels, deletes) for
// projection tests and benchmarks. Seeded, so a failing run can be replayed.
import type { EventData } from "../../domain/ports/eventStore.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";

export interface JobHistory {
  jobId: string;
  streamId: string;
  events: EventData[];
}

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const sha256Like = (random: () => number) =>
  `sha256:${Array.from({ length: 64 }, () => Math.floor(random() * 16).toString(16)).join("")}`;

export function generateJobHistories(count: number, seed = 1, startAt = Date.parse("2026-11-01T08:00:00Z")) {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const histories: JobHistory[] = [];
  for (let j = 0; j < count; j++) {
    const jobId = uuidFrom(random);
    const correlationId = uuidFrom(random);
    const user = pick(["u-alice", "u-bob", "u-carol"]);
    let clock = startAt + j * 7_000;
    const events: EventData[] = [];
    const emit = (type: string, data: Record<string, unknown>, role = "system") => {
      clock += 250 + Math.floor(random() * 4000);
      const id = uuidFrom(random);
      events.push({
        id,
        type,
        data,
        metadata: {
          correlationId,
          causationId: events.at(-1)?.id ?? correlationId,
          actor: { userId: role === "system" ? "system" : user, role },
          ...(role === "system" ? {} : { requestId: `req-${j}` }),
          schemaVersion: type === "JobSubmitted" ? 2 : 1,
          occurredAt: new Date(clock).toISOString(),
        },
      });
    };
    const profileId = pick(["1080p_h264", "720p_h264", "480p_fast"]);
    const sourceUrl = `fs://uploads/clip-${j}.mp4`;
    emit(
      "JobSubmitted",
      { jobId, userId: user, sourceType: "upload", sourceUrl, profileId, outputConfig: {} },
      "operator",
    );
    const fate = random();
    if (fate < 0.05) {
      emit("JobFailed", { code: "WE-JOB-007", message: "source is not a video: moov atom not found" });
    } else {
      const duration = 5 + random() * 600;
      emit("JobSourceProbed", {
        durationSec: duration,
        format: "mov,mp4,m4a,3gp,3g2,mj2",
        sizeBytes: Math.floor(duration * 600_000),
        video: {
          codec: "h264",
          width: 1920,
          height: 1080,
          fps: 29.97,
          rotation: 0,
          vfr: false,
          pixFmt: "yuv420p",
        },
        audio: random() < 0.9 ? { codec: "aac", channels: 2, sampleRate: 48000 } : null,
      });
      const taskCount = 1 + Math.floor(random() * 4);
      const tasks = Array.from({ length: taskCount }, (_, i) => ({
        taskId: uuidFrom(random),
        sequenceIndex: i,
        startTimeSec: (duration / taskCount) * i,
        endTimeSec: (duration / taskCount) * (i + 1),
      }));
      emit("JobPlanned", { tasks, maxAttempts: 3 });
      for (const task of tasks) emit("TaskScheduled", { taskId: task.taskId, attempt: 1 });
      const cancelled = fate > 0.9;
      let failed = false;
      for (const task of tasks) {
        if (failed) break;
        let attempt = 1;
        while (true) {
          const worker = pick(["worker-a", "worker-b"]);
          emit("TaskStarted", { taskId: task.taskId, attempt, workerId: worker });
          const reach = cancelled ? 25 : 75;
          for (const milestonePct of [25, 50, 75].filter((m) => m <= reach)) {
            emit("TaskProgressed", { taskId: task.taskId, attempt, milestonePct });
          }
          if (cancelled) break;
          if (random() < 0.15) {
            emit("TaskFailed", {
              taskId: task.taskId,
              attempt,
              exitClass: "transient",
              message: "ffmpeg exited with code 1",
              stderrTail: "Conversion failed!",
            });
            if (attempt === 3) {
              emit("JobFailed", { code: "WE-JOB-008", message: "task failed after 3 attempts" });
              failed = true;
              break;
            }
            const delayMs = 5000 * 2 ** (attempt - 1);
            const notBefore = new Date(clock + delayMs).toISOString();
            emit("TaskRetryScheduled", { taskId: task.taskId, nextAttempt: attempt + 1, notBefore, delayMs });
            emit("TaskScheduled", { taskId: task.taskId, attempt: attempt + 1, notBefore });
            attempt++;
            continue;
          }
          emit("TaskCompleted", {
            taskId: task.taskId,
            attempt,
            outputKey: `jobs/${jobId}/tasks/${task.sequenceIndex}.mp4`,
            sizeBytes: Math.floor(random() * 50_000_000),
            checksum: sha256Like(random),
            durationSec: task.endTimeSec - task.startTimeSec,
          });
          break;
        }
        if (cancelled) break;
      }
      if (cancelled) emit("JobCancelled", { reason: "cancelled by user" }, "operator");
      else if (!failed) {
        if (taskCount > 1) emit("JobStitchingStarted", {});
        emit("JobUploadingStarted", {});
        emit("JobCompleted", {
          outputs: [
            {
              name: `${jobId}_final.mp4`,
              type: "final",
              key: `jobs/${jobId}/final.mp4`,
              sizeBytes: Math.floor(random() * 200_000_000),
              checksum: sha256Like(random),
              profile: profileId,
            },
          ],
        });
      }
    }
    if (random() < 0.05) emit("JobDeleted", {}, "operator");
    histories.push({ jobId, streamId: jobStream.name(jobId), events });
  }
  return histories;
}
