// Live ingest at scale on one `webencode up`: N publishers (720p, 2.5 Mb/s, stream copy) at once, each
// recorded to storage as it arrives. CPU and resident memory of the platform's whole process tree per
// stream, against the same publishers received by bare ffmpeg recorders (`ffmpeg -listen 1 … -c copy`,
// one per stream) in the same run, and the frames the ingest dropped.
// Usage: npm run bench -- live [streams=20] [seconds=30]
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPlatform } from "../test/support/platformProcess.ts";
import { freeTcpPort } from "../test/support/rtmpReceiver.ts";
import { round } from "./benchDatabase.ts";
import { cpuSecondsBetween, treeUsage } from "./support/processTree.ts";

const ffmpeg = process.env.FFMPEG_PATH ?? "ffmpeg";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MIB = 1024 * 1024;

/** A 720p, 2.5 Mb/s H.264 + AAC clip with a keyframe every 2 s, published in a loop by each publisher. */
async function makeLiveClip(path: string): Promise<void> {
  await ffmpegRun([
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440"],
    ...["-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "2500k", "-maxrate", "2500k"],
    ...[
      "-bufsize",
      "5000k",
      "-g",
      "60",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-b:a",
      "128k",
      "-f",
      "flv",
      path,
    ],
  ]);
}

function ffmpegRun(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${stderr}`)),
    );
  });
}

function publish(clip: string, url: string): ChildProcess {
  return spawn(
    ffmpeg,
    [
      ...["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip],
      ...["-c", "copy", "-f", "flv", url],
    ],
    { stdio: "ignore" },
  );
}

async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

interface Phase {
  cpuPctPerStream: number;
  rssMibPerStream: number;
}

/** Measures a process tree over `seconds` once `warmUpMs` has passed; memory is what it grew by. */
async function measure(roots: readonly number[], idleRss: number, seconds: number, streams: number) {
  const before = await treeUsage(roots);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const after = await treeUsage(roots);
  const elapsed = (performance.now() - t0) / 1000;
  const phase: Phase = {
    cpuPctPerStream: (cpuSecondsBetween(before, after) / elapsed / streams) * 100,
    rssMibPerStream: Math.max(0, after.rssBytes - idleRss) / MIB / streams,
  };
  console.log(
    `  ${after.cpuSeconds.size} processes, ${round(after.rssBytes / MIB, 1)} MiB resident (${round(idleRss / MIB, 1)} MiB before the streams)`,
  );
  return phase;
}

/** N bare ffmpeg recorders, each an RTMP server for one publisher, cutting 2 s segments to disk. */
async function bareRecorders(dir: string, clip: string, streams: number, seconds: number): Promise<Phase> {
  const recorders: ChildProcess[] = [];
  const publishers: ChildProcess[] = [];
  try {
    for (let i = 0; i < streams; i++) {
      const port = await freeTcpPort();
      const out = join(dir, `bare-${i}`);
      await mkdir(out, { recursive: true });
      const url = `rtmp://127.0.0.1:${port}/live/bench`;
      recorders.push(
        spawn(
          ffmpeg,
          [
            ...["-hide_banner", "-loglevel", "error", "-listen", "1", "-i", url, "-c", "copy"],
            ...["-f", "hls", "-hls_time", "2", "-hls_playlist_type", "event", join(out, "index.m3u8")],
          ],
          { stdio: "ignore" },
        ),
      );
      await sleep(150);
      publishers.push(publish(clip, url));
    }
    await sleep(5000);
    return await measure(
      recorders.map((r) => r.pid!),
      0,
      seconds,
      streams,
    );
  } finally {
    await stopAll([...publishers, ...recorders]);
  }
}

interface StreamStats {
  status: string;
  dropped_frames?: number;
}

async function platformIngest(dir: string, clip: string, streams: number, seconds: number) {
  const platform = await startPlatform(join(dir, "data"), join(dir, "media"), {
    WEBENCODE_RTMP_PORT: "0",
    WEBENCODE_SRT_PORT: "off",
  });
  const publishers: ChildProcess[] = [];
  try {
    const headers = { authorization: `Bearer ${platform.adminToken}`, "content-type": "application/json" };
    const pid = platform.child.pid!;
    // the first start builds the dashboard (a bundler's worth of memory, given back once done)
    await sleep(3000);
    for (let waited = 0; /building the dashboard/.test(platform.output()); waited += 500) {
      if (/dashboard (built|unavailable)/.test(platform.output())) break;
      if (waited > 180_000) throw new Error("the dashboard build did not end in 3 min");
      await sleep(500);
    }
    await sleep(3000);
    const idle = await treeUsage([pid]);
    const ids: string[] = [];
    for (let i = 0; i < streams; i++) {
      const response = await fetch(`${platform.url}/v1/streams`, {
        method: "POST",
        headers,
        body: JSON.stringify({ title: `bench ${i}`, archive_enabled: true }),
      });
      if (response.status !== 201)
        throw new Error(`create stream: ${response.status} ${await response.text()}`);
      const created = (await response.json()) as { id: string; stream_key: string; ingest_url: string };
      ids.push(created.id);
      publishers.push(publish(clip, `${created.ingest_url}/${created.stream_key}`));
    }
    const stats = async () =>
      Promise.all(
        ids.map(
          async (id) =>
            (await (
              await fetch(`${platform.url}/v1/streams/${id}/stats`, { headers })
            ).json()) as StreamStats,
        ),
      );
    for (let tries = 0; (await stats()).some((s) => s.status !== "live"); tries++) {
      if (tries > 60) throw new Error(`not every stream went live: ${JSON.stringify(await stats())}`);
      await sleep(500);
    }
    await sleep(3000);
    const droppedBefore = (await stats()).reduce((sum, s) => sum + (s.dropped_frames ?? 0), 0);
    const phase = await measure([pid], idle.rssBytes, seconds, streams);
    const droppedFrames =
      (await stats()).reduce((sum, s) => sum + (s.dropped_frames ?? 0), 0) - droppedBefore;
    return { ...phase, droppedFrames };
  } finally {
    await stopAll(publishers);
    await platform.kill();
  }
}

export async function run(args: string[]): Promise<number> {
  const streams = Number(args[0] ?? 20);
  const seconds = Number(args[1] ?? 30);
  const dir = await mkdtemp(join(tmpdir(), "webencode-bench-live-"));
  try {
    const clip = join(dir, "clip.flv");
    await makeLiveClip(clip);
    const bare = await bareRecorders(dir, clip, streams, seconds);
    console.log(`bare ffmpeg recorders: ${round(bare.cpuPctPerStream, 2)} % of a core per stream`);
    const ours = await platformIngest(dir, clip, streams, seconds);
    console.log(
      `webencode up: ${round(ours.cpuPctPerStream, 2)} % of a core and ${round(ours.rssMibPerStream, 1)} MiB per stream, ${ours.droppedFrames} frames dropped`,
    );
    console.log(
      JSON.stringify({
        streams,
        cpu_pct_per_stream: round(ours.cpuPctPerStream, 2),
        rss_mib_per_stream: round(ours.rssMibPerStream, 1),
        dropped_frames: ours.droppedFrames,
        bare_cpu_pct_per_stream: round(bare.cpuPctPerStream, 2),
        bare_rss_mib_per_stream: round(bare.rssMibPerStream, 1),
        ratio_to_bare_recorders: round(ours.cpuPctPerStream / bare.cpuPctPerStream, 2),
      }),
    );
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
