// The cost of a restream: one live input fanned out to five RTMP receivers with stream copy, against one
// bare `ffmpeg -c copy` relay of the very same bytes to a sixth receiver, side by side in one run. CPU is
// the run's ffmpeg processes (the input stage; RTMP destinations are published by this process's own
// client) plus this process (the switcher, fan-out and RTMP publishing; it also reads the receivers here,
// so the figure is an upper bound). Latency added: for each
// video frame, when it reached a restream receiver minus when it reached the bare relay's receiver
// (frames matched by their bytes, which stream copy keeps; the last loop of the looped clip counts).
// Usage: npm run bench -- restream [seconds=60]
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeClip } from "../test/support/mediaClip.ts";
import { freeTcpPort } from "../test/support/rtmpReceiver.ts";
import { createFlvTagReader, FLV_VIDEO } from "../workers/restream/flvTags.ts";
import { startRestreamRun } from "../workers/restream/restreamRun.ts";
import { round } from "./benchDatabase.ts";

const ffmpeg = process.env.FFMPEG_PATH ?? "ffmpeg";
const DESTINATIONS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ticksPerSecond = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds, while it lives. */
function cpuSecondsOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}

function childPids(): number[] {
  try {
    return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter((pid) => pid !== "")
      .map(Number);
  } catch {
    return [];
  }
}

/** An RTMP receiver handing what it receives back as FLV, so each video frame's arrival can be timed. */
function receiver(port: number, arrivals: Map<string, number>): ChildProcess {
  const url = `rtmp://127.0.0.1:${port}/live/bench-key`;
  const child = spawn(
    ffmpeg,
    [
      ...["-hide_banner", "-loglevel", "error", "-listen", "1", "-i", url, "-c", "copy"],
      ...["-flush_packets", "1", "-f", "flv", "pipe:1"],
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  const times = new Map<string, number>();
  const read = createFlvTagReader((tag) => {
    if (tag.type !== FLV_VIDEO || tag.body.length < 6) return;
    const hash = createHash("sha1").update(tag.body.subarray(5)).digest("hex");
    // the input loops a clip: the n-th time a frame comes is matched with its n-th time elsewhere
    const seen = (times.get(hash) ?? 0) + 1;
    times.set(hash, seen);
    arrivals.set(`${hash}#${seen}`, performance.now());
  });
  child.stdout!.on("data", (chunk: Buffer) => read(chunk));
  return child;
}

async function connectWhenListening(port: number): Promise<Socket> {
  for (;;) {
    const socket = await new Promise<Socket | null>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => resolve(s));
      s.once("error", () => resolve(null));
    });
    if (socket !== null) return socket;
    await sleep(100);
  }
}

export async function run(args: string[]): Promise<number> {
  const seconds = Number(args[0] ?? 60);
  const dir = await mkdtemp(join(tmpdir(), "webencode-bench-restream-"));
  const clip = join(dir, "input.mp4");
  await makeClip(clip, { seconds: 10, width: 1280, height: 720 });
  const ports = await Promise.all(Array.from({ length: DESTINATIONS + 2 }, () => freeTcpPort()));
  const [inputPort, barePort, ...destinationPorts] = ports as [number, number, ...number[]];

  const bareArrivals = new Map<string, number>();
  const restreamArrivals = destinationPorts.map(() => new Map<string, number>());
  const receivers = [
    receiver(barePort, bareArrivals),
    ...destinationPorts.map((p, i) => receiver(p, restreamArrivals[i]!)),
  ];
  await sleep(500);

  // the live input: a 720p clip sent in real time, the same bytes to the bare relay and to the restream
  const source = spawn(
    ffmpeg,
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-re",
      "-stream_loop",
      "-1",
      "-i",
      clip,
      "-c",
      "copy",
      "-f",
      "flv",
      "pipe:1",
    ],
    {
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  const bare = spawn(
    ffmpeg,
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "flv",
      "-i",
      "pipe:0",
      "-c",
      "copy",
      "-f",
      "flv",
      `rtmp://127.0.0.1:${barePort}/live/bench-key`,
    ],
    { stdio: ["pipe", "ignore", "ignore"] },
  );
  bare.stdin!.on("error", () => {});
  const outside = new Set([source.pid!, bare.pid!, ...receivers.map((r) => r.pid!)]);

  const restream = startRestreamRun({
    runId: "bench",
    input: {
      url: `tcp://127.0.0.1:${inputPort}?listen=1`,
      live: true,
      loop: false,
      realtime: false,
      options: ["-f", "flv"],
    },
    destinations: destinationPorts.map((port, i) => ({
      destinationId: `destination-${i}`,
      url: `rtmp://127.0.0.1:${port}/live/bench-key`,
      masked: `rtmp://127.0.0.1:${port}/live/••••-key`,
    })),
    ffmpegPath: ffmpeg,
    report: () => {},
    ended: (reason, error) => console.error(`restream ended: ${reason} ${error ?? ""}`),
    log: () => {},
  });
  const socket = await connectWhenListening(inputPort);
  socket.on("error", () => {});
  source.stdout!.on("data", (chunk: Buffer) => {
    bare.stdin!.write(chunk);
    socket.write(chunk);
  });

  // warm up, then measure CPU over the window
  await sleep(3000);
  const cpuAtStart = new Map<number, number>();
  const cpuLatest = new Map<number, number>();
  const sample = () => {
    for (const pid of childPids()) {
      const cpu = cpuSecondsOf(pid);
      if (cpu === null) continue;
      if (!cpuAtStart.has(pid)) cpuAtStart.set(pid, cpu);
      cpuLatest.set(pid, cpu);
    }
  };
  sample();
  const nodeAtStart = process.cpuUsage();
  const startedAt = performance.now();
  const sampler = setInterval(sample, 500);
  await sleep(seconds * 1000);
  clearInterval(sampler);
  sample();
  const wall = (performance.now() - startedAt) / 1000;
  const node = process.cpuUsage(nodeAtStart);
  const nodeSeconds = (node.user + node.system) / 1e6;
  const used = (pid: number) => (cpuLatest.get(pid) ?? 0) - (cpuAtStart.get(pid) ?? 0);
  const restreamFfmpegSeconds = [...cpuLatest.keys()]
    .filter((pid) => !outside.has(pid))
    .reduce((sum, pid) => sum + used(pid), 0);
  const bareSeconds = used(bare.pid!);

  const added: number[] = [];
  for (const arrivals of restreamArrivals) {
    for (const [key, at] of arrivals) {
      const bareAt = bareArrivals.get(key);
      // frames of the measured window only: destinations' start-up is not latency
      if (bareAt !== undefined && bareAt >= startedAt) added.push(at - bareAt);
    }
  }
  const frames = restreamArrivals.map((arrivals) => arrivals.size);

  await restream.stop();
  socket.destroy();
  for (const child of [source, bare, ...receivers]) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });

  const restreamSeconds = restreamFfmpegSeconds + nodeSeconds;
  const figures = {
    seconds: round(wall),
    destinations: DESTINATIONS,
    frames_per_receiver: frames,
    ffmpeg_cpu_pct_of_core: round((restreamFfmpegSeconds / wall) * 100, 1),
    node_cpu_pct_of_core: round((nodeSeconds / wall) * 100, 1),
    bare_relay_cpu_pct_of_core: round((bareSeconds / wall) * 100, 1),
    cpu_pct_of_core: round((restreamSeconds / wall) * 100, 1),
    ratio_to_bare_relay: round(restreamSeconds / Math.max(bareSeconds, 0.001), 1),
    added_latency_ms: round(median(added)),
  };
  console.log(JSON.stringify(figures));
  return frames.every((n) => n > 0) ? 0 : 1;
}
