import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import type { RecordedEvent } from "../domain/ports/eventStore.ts";
import { buildFfmpegArgs } from "../plugins/encoder-ffmpeg/buildFfmpegArgs.ts";
import { builtInProfiles } from "../plugins/encoder-ffmpeg/builtInProfiles.ts";
import { createFfmpegEncoder } from "../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import { makeClip } from "../test/support/mediaClip.ts";
import { round } from "./benchDatabase.ts";
import { runPlatformJob, timed } from "./support/platformJob.ts";
import { taskTimeline } from "./support/taskTimeline.ts";

const PROFILE = "720p_h264";

type Detail = {
  tasks: { kind: string; worker_id: string | null }[];
  stitch: { frame_count: number; worst_seam_delta: number | null } | null;
};

/** One job through a fresh embedded platform with `workers` workers of one encoder thread each. */
const runJob = (dir: string, media: string, workers: number, pass: string) =>
  runPlatformJob<Detail>({
    dataDir: join(dir, `data-${workers}-${pass}`),
    mediaDir: media,
    workers,
    threads: 1,
    profile: PROFILE,
    sourceUrl: "fs://clip.mp4",
  });

const at = (event: RecordedEvent) => Date.parse(event.metadata.occurredAt as string);

/** Busy time per task (started → completed, from the events) and the span from the first start to the last end. */
function taskTimes(events: readonly RecordedEvent[]) {
  const starts = new Map<string, number>();
  const busy = new Map<string, number>();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const event of events) {
    const taskId = (event.data as { taskId?: string }).taskId;
    if (taskId === undefined) continue;
    if (event.type === "TaskStarted") {
      starts.set(taskId, at(event));
      first = Math.min(first, at(event));
    }
    if (event.type === "TaskCompleted") {
      busy.set(taskId, at(event) - (starts.get(taskId) ?? at(event)));
      last = Math.max(last, at(event));
    }
  }
  return { busy, spanMs: last - first };
}

export async function run(args: string[]): Promise<number> {
  const seconds = Number(args[0] ?? 120);
  const dir = await mkdtemp(join(tmpdir(), "webencode-bench-split-"));
  await chmod(dir, 0o755);
  const media = join(dir, "media");
  await mkdir(media);
  const clip = join(media, "clip.mp4");
  await makeClip(clip, { seconds, width: 1280, height: 720 });
  try {
    // the whole-source command a worker runs, with every thread: the bare baseline
    const encoder = createFfmpegEncoder({ stateDir: join(dir, "state") });
    const source = await encoder.probe(clip);
    if (source._tag !== "SourceInfo") throw new Error(source.message);
    const frames = await encoder.split!.probeFrames(clip, source.video.index);
    if (frames._tag !== "SourceFrames") throw new Error(frames.message);
    const plan = await encoder.plan(builtInProfiles[PROFILE], source);
    const bare = async (pass: string) => {
      const ms = await timed(
        process.env.FFMPEG_PATH ?? "ffmpeg",
        buildFfmpegArgs(plan, join(dir, "bare.mp4")),
      );
      console.error(`bare ffmpeg, all threads (${pass}): ${(ms / 1000).toFixed(1)} s`);
      return ms;
    };
    const job = async (workers: number, pass: string) => {
      const run = await runJob(dir, media, workers, pass);
      console.error(
        `${workers === 1 ? "one worker" : `${workers} workers`}, one thread each (${pass}): ${(run.wallMs / 1000).toFixed(1)} s (${run.detail.tasks.length} tasks)`,
      );
      return run;
    };
    // one worker, bare ffmpeg, two workers, two workers, bare ffmpeg, one worker: the runs of each
    // comparison sit symmetrically about the same middle, so a load that drifts steadily over the
    // minutes of the bench (a shared machine's does) cancels out of both ratios
    const oneA = await job(1, "a");
    const bareA = await bare("a");
    const two = await job(2, "a");
    const twoB = await job(2, "b");
    const bareB = await bare("b");
    const oneB = await job(1, "b");
    const oneMs = (oneA.wallMs + oneB.wallMs) / 2;
    const twoMs = (two.wallMs + twoB.wallMs) / 2;
    const bareMs = (bareA + bareB) / 2;

    const planned = two.events.find((e) => e.type === "JobPlanned")?.data as
      | { tasks: { taskId: string; kind?: string }[] }
      | undefined;
    const stitchId = planned?.tasks.find((t) => t.kind === "stitch")?.taskId;
    const { busy, spanMs } = taskTimes(two.events);
    const stitchTaskMs = stitchId === undefined ? Number.NaN : (busy.get(stitchId) ?? Number.NaN);
    const timings = (
      two.events.find(
        (e) => e.type === "TaskCompleted" && (e.data as { taskId?: string }).taskId === stitchId,
      )?.data as { stitch?: { timings?: { fetchMs: number; stitchMs: number; seamsMs: number } } } | undefined
    )?.stitch?.timings;
    // the stitch proper: fetching the chunks, the concat and its proof; the seams are measured apart,
    // by each chunk on its own worker right after its encode (the stitch only combines their figures)
    const stitchMs = timings === undefined ? stitchTaskMs : timings.fetchMs + timings.stitchMs;
    const chunkMeasureMs = two.events
      .filter((e) => e.type === "TaskCompleted")
      .map((e) => (e.data as { edgeSsim?: { measureMs: number } }).edgeSsim?.measureMs ?? 0);
    const seamsMs = chunkMeasureMs.reduce((sum, ms) => sum + ms, 0) + (timings?.seamsMs ?? Number.NaN);
    const workMs = [...busy.values()].reduce((sum, ms) => sum + ms, 0);
    const figures = {
      speedup: round(oneMs / twoMs, 3),
      vs_bare_all_threads: round(bareMs / twoMs, 3),
      stitch_pct: round((100 * stitchMs) / two.wallMs, 2),
      // share of the two workers' time: the chunks measure side by side
      seam_measure_pct: round((100 * seamsMs) / (2 * two.wallMs), 2),
      utilisation: round(workMs / (2 * spanMs), 3),
      frames_match: two.detail.stitch?.frame_count === frames.frameCount,
      worst_seam_ssim_delta: two.detail.stitch?.worst_seam_delta ?? null,
      chunks: two.detail.tasks.filter((t) => t.kind === "video").length,
      one_worker_s: round(oneMs / 1000, 1),
      two_workers_s: round(twoMs / 1000, 1),
      bare_ffmpeg_s: round(bareMs / 1000, 1),
      runs_s: {
        one_worker: [oneA.wallMs, oneB.wallMs].map((ms) => round(ms / 1000, 1)),
        two_workers: [two.wallMs, twoB.wallMs].map((ms) => round(ms / 1000, 1)),
        bare_ffmpeg: [bareA, bareB].map((ms) => round(ms / 1000, 1)),
      },
      stitch_s: round(stitchMs / 1000, 2),
      seam_measure_s: round(seamsMs / 1000, 2),
      clip_seconds: seconds,
    };
    console.log(
      "  the first two-worker run's tasks (the stitch, seam and utilisation figures are this run's):",
    );
    for (const line of taskTimeline(two.events)) console.log(line);
    console.log(`split & stitch on a ${seconds} s 1280x720 clip (${PROFILE}), ${os.cpus().length} cores:`);
    console.log(
      `  each run, in order: one worker ${figures.runs_s.one_worker[0]} s, bare ${figures.runs_s.bare_ffmpeg[0]} s, two workers ${figures.runs_s.two_workers.join(" s and ")} s, bare ${figures.runs_s.bare_ffmpeg[1]} s, one worker ${figures.runs_s.one_worker[1]} s (means below)`,
    );
    console.log(`  one worker, one encoder thread (one task)     ${figures.one_worker_s} s`);
    console.log(
      `  two workers, one thread each (${figures.chunks} chunks)      ${figures.two_workers_s} s  (${figures.speedup}×)`,
    );
    console.log(
      `  bare ffmpeg, every thread, same command       ${figures.bare_ffmpeg_s} s  (two workers: ${figures.vs_bare_all_threads}× its speed)`,
    );
    console.log(
      `  stitch (fetch, concat, verify)                ${figures.stitch_s} s  (${figures.stitch_pct} % of the split job; fetch ${timings === undefined ? "?" : (timings.fetchMs / 1000).toFixed(2)} s)`,
    );
    console.log(
      `  seam SSIM measurement, all chunks together    ${figures.seam_measure_s} s  (${figures.seam_measure_pct} % of the two workers' time)`,
    );
    console.log(
      `  utilisation ${figures.utilisation}, frames match ${figures.frames_match}, worst seam ${figures.worst_seam_ssim_delta}`,
    );
    console.log(JSON.stringify(figures));
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
