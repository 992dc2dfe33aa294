import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { makeClip } from "../test/support/mediaClip.ts";
import { round } from "./benchDatabase.ts";
import { runPlatformJob, timed } from "./support/platformJob.ts";
import { taskTimeline } from "./support/taskTimeline.ts";

const PROFILE = "hls_abr_3tier";

/** The spec's one-command ladder, with the profile's preset and a keyframe every 2 s and no others. */
function bareLadderArgs(input: string, outputDir: string): string[] {
  const gop = ["-force_key_frames", "expr:gte(t,n_forced*2)", "-sc_threshold", "0"];
  return [
    ...["-hide_banner", "-loglevel", "warning", "-y", "-i", input],
    "-filter_complex",
    "[0:v]split=3[v1][v2][v3];[v1]scale=1920:1080[v1out];[v2]scale=1280:720[v2out];[v3]scale=854:480[v3out]",
    ...[
      "-map",
      "[v1out]",
      "-c:v:0",
      "libx264",
      "-b:v:0",
      "5000k",
      "-maxrate:v:0",
      "5500k",
      "-bufsize:v:0",
      "10000k",
    ],
    ...[
      "-map",
      "[v2out]",
      "-c:v:1",
      "libx264",
      "-b:v:1",
      "2500k",
      "-maxrate:v:1",
      "2750k",
      "-bufsize:v:1",
      "5000k",
    ],
    ...[
      "-map",
      "[v3out]",
      "-c:v:2",
      "libx264",
      "-b:v:2",
      "1000k",
      "-maxrate:v:2",
      "1100k",
      "-bufsize:v:2",
      "2000k",
    ],
    ...["-preset", "fast", ...gop],
    ...[
      "-map",
      "0:a",
      "-map",
      "0:a",
      "-map",
      "0:a",
      "-c:a",
      "aac",
      "-b:a:0",
      "192k",
      "-b:a:1",
      "128k",
      "-b:a:2",
      "96k",
    ],
    ...["-f", "hls", "-hls_time", "6", "-hls_list_size", "0", "-hls_segment_type", "fmp4"],
    ...["-hls_segment_filename", join(outputDir, "stream_%v", "segment_%03d.m4s")],
    ...["-master_pl_name", "master.m3u8", "-var_stream_map", "v:0,a:0 v:1,a:1 v:2,a:2"],
    join(outputDir, "stream_%v", "playlist.m3u8"),
  ];
}

interface Detail {
  tasks: { kind: string; rendition?: string | null; renditions?: string[] }[];
}

export async function run(args: string[]): Promise<number> {
  const seconds = Number(args[0] ?? 60);
  const dir = await mkdtemp(join(tmpdir(), "webencode-bench-abr-"));
  await chmod(dir, 0o755);
  const media = join(dir, "media");
  await mkdir(media);
  const clip = join(media, "clip.mp4");
  await makeClip(clip, { seconds, width: 1920, height: 1080 });
  try {
    const bareDir = join(dir, "bare");
    await mkdir(bareDir);
    const bare = async () => {
      const ms = await timed(process.env.FFMPEG_PATH ?? "ffmpeg", bareLadderArgs(clip, bareDir));
      console.error(`bare ffmpeg, the spec's one-command ladder: ${(ms / 1000).toFixed(1)} s`);
      return ms;
    };
    // bare ffmpeg right before and right after the one worker, compared with their mean: a shared
    // machine's load drifts over minutes
    const bareBeforeMs = await bare();
    const job = { mediaDir: media, profile: PROFILE, sourceUrl: "fs://clip.mp4" };
    const one = await runPlatformJob<Detail>({ ...job, dataDir: join(dir, "one"), workers: 1 });
    console.error(`one worker: ${(one.wallMs / 1000).toFixed(1)} s (${one.detail.tasks.length} tasks)`);
    const bareAfterMs = await bare();
    const bareMs = (bareBeforeMs + bareAfterMs) / 2;
    const halfCores = Math.max(1, Math.floor(os.cpus().length / 2));
    const two = await runPlatformJob<Detail>({
      ...job,
      dataDir: join(dir, "two"),
      workers: 2,
      threads: halfCores,
    });
    console.error(
      `two workers of ${halfCores} thread(s): ${(two.wallMs / 1000).toFixed(1)} s (${two.detail.tasks.length} tasks)`,
    );
    const renditions = new Set(
      one.detail.tasks.flatMap((t) => [
        ...(t.renditions ?? []),
        ...(t.rendition == null ? [] : [t.rendition]),
      ]),
    ).size;
    const figures = {
      ladder_ratio_to_bare: round(one.wallMs / bareMs, 3),
      two_worker_speedup: round(one.wallMs / two.wallMs, 3),
      renditions,
      manifests: one.outputs.filter((o) => o.type === "manifest").map((o) => o.name),
      one_worker_s: round(one.wallMs / 1000, 1),
      two_workers_s: round(two.wallMs / 1000, 1),
      bare_ffmpeg_s: round(bareMs / 1000, 1),
      bare_ffmpeg_before_after_s: [round(bareBeforeMs / 1000, 1), round(bareAfterMs / 1000, 1)],
      clip_seconds: seconds,
    };
    console.log(`ABR ladder (${PROFILE}) of a ${seconds} s 1920x1080 clip, ${os.cpus().length} cores:`);
    console.log(
      `  bare ffmpeg, one command, three renditions      ${figures.bare_ffmpeg_s} s  (before and after the one worker: ${figures.bare_ffmpeg_before_after_s.join(" s, ")} s)`,
    );
    console.log(
      `  the platform, one worker                        ${figures.one_worker_s} s  (${figures.ladder_ratio_to_bare}× bare; aim ≤ 1.10)`,
    );
    console.log(
      `  the platform, two workers                       ${figures.two_workers_s} s  (${figures.two_worker_speedup}× one worker)`,
    );
    console.log("  one worker's tasks:");
    for (const line of taskTimeline(one.events)) console.log(line);
    console.log("  two workers' tasks:");
    for (const line of taskTimeline(two.events)) console.log(line);
    console.log(JSON.stringify(figures));
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
