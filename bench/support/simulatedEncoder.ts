// A stand-in encoder plugin for the scheduler benchmark: every source is `durationSec` of 30 fps video
// with a keyframe every 2 s and one audio track; an encode takes its share of the source divided by
// `speed` (progress milestones on the way, cancel honoured) and writes a small file, so that the
// platform around it — planner, decider, event store, dispatcher, queue, workers, storage — does real work.
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type {
  EncodeOptions,
  EncodeOutcome,
  EncodePlan,
  EncoderPlugin,
  SourceFrames,
  SourceInfo,
} from "../../plugins/sdk/encoderPlugin.ts";
import type { SplitEncoding } from "../../plugins/sdk/splitEncoding.ts";

export interface SimulatedEncoderOptions {
  /** Seconds of video every source holds. */
  durationSec: number;
  /** Source seconds encoded per wall second. */
  speed: number;
}

const RATE = 30;

function sourceInfo(input: string, durationSec: number): SourceInfo {
  return {
    _tag: "SourceInfo",
    input,
    formatName: "mov,mp4,m4a,3gp,3g2,mj2",
    durationSec,
    sizeBytes: null,
    video: {
      index: 0,
      codec: "h264",
      width: 1280,
      height: 720,
      sampleAspectRatio: [1, 1],
      rotation: 0,
      frameRate: `${RATE}/1`,
      avgFrameRate: `${RATE}/1`,
      variableFrameRate: false,
      pixFmt: "yuv420p",
    },
    audio: { index: 1, codec: "aac", channels: 2, sampleRate: 48_000 },
    audioTrackCount: 1,
  };
}

function frames(durationSec: number): SourceFrames {
  const count = Math.round(durationSec * RATE);
  const times = Array.from({ length: count }, (_, i) => i / RATE);
  return {
    _tag: "SourceFrames",
    videoStreamIndex: 0,
    startTimeSec: 0,
    frameTimesSec: times,
    keyframeTimesSec: times.filter((_, i) => i % (2 * RATE) === 0),
    endSec: count / RATE,
    frameCount: count,
    declaredFrameCount: count,
    frameRate: `${RATE}/1`,
    avgFrameRate: `${RATE}/1`,
    variableFrameRate: false,
    openGop: false,
  };
}

/** Waits `ms`, reporting 25/50/75 % as a real encode would; resolves false when aborted. */
async function work(ms: number, options: EncodeOptions): Promise<boolean> {
  const tick = (pct: number) =>
    options.onProgress?.({ pct, outTimeSec: 0, fps: null, speed: null, etaSeconds: null });
  tick(0);
  for (const pct of [25, 50, 75, 100]) {
    const aborted = await new Promise<boolean>((resolve) => {
      if (options.signal?.aborted) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms / 4);
      options.signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve(true);
        },
        { once: true },
      );
    });
    if (aborted) return false;
    tick(pct);
  }
  return true;
}

async function writeOutput(workDir: string, name: string, bytes: string) {
  await mkdir(workDir, { recursive: true });
  const path = join(workDir, name);
  await writeFile(path, bytes);
  return {
    path,
    sizeBytes: Buffer.byteLength(bytes),
    checksum: `sha256:${createHash("sha256").update(bytes).digest("hex")}`,
  };
}

async function simulate(
  ms: number,
  durationSec: number,
  options: EncodeOptions,
  what: string,
): Promise<EncodeOutcome> {
  if (!(await work(ms, options))) {
    return { _tag: "EncodeFailed", exitClass: "cancelled", message: "aborted", stderrTail: "" };
  }
  const written = await writeOutput(options.workDir, `${options.attemptId}.mp4`, `${what} ${durationSec}`);
  return { _tag: "Encoded", ...written, durationSec };
}

export function createSimulatedEncoder({ durationSec, speed }: SimulatedEncoderOptions): EncoderPlugin {
  const split: SplitEncoding = {
    probeFrames: async () => frames(durationSec),
    planSplit(_profile, _source, probed, segments) {
      return {
        target: {
          frameRate: `${RATE}/1`,
          frameCount: probed.frameCount,
          durationSec: probed.endSec,
          videoStartSec: 0,
          width: 1280,
          height: 720,
        },
        chunks: segments.map(({ startSec, endSec }, i) => ({
          seekSec: startSec,
          firstFrame: Math.round(startSec * RATE),
          frameCount: i === segments.length - 1 ? null : Math.round((endSec - startSec) * RATE),
          gridStartSec: startSec,
          durationSec: endSec - startSec,
        })),
      };
    },
    // audio encodes some twenty times faster than video
    encodeAudio: (_profile, source, options) =>
      simulate((source.durationSec / speed / 20) * 1000, source.durationSec, options, "audio"),
    async stitch(request) {
      const written = await writeOutput(
        dirname(request.output),
        basename(request.output),
        `stitched ${request.chunks.length}`,
      );
      return {
        _tag: "Stitched",
        path: written.path,
        frameCount: request.target.frameCount,
        durationSec: request.target.durationSec,
        sizeBytes: written.sizeBytes,
        checksum: written.checksum,
      };
    },
    measureSeams: async (request) => ({
      _tag: "SeamReport",
      meanSsim: 0.99,
      seams: request.seamFrames.map((frame, i) => ({
        index: i + 1,
        timeSec: frame / RATE,
        ssim: 0.99,
        delta: 0,
      })),
    }),
  };
  return {
    probe: async (input) => sourceInfo(input, durationSec),
    async plan(profile, source, range, _encoders, chunk) {
      const seconds = chunk?.durationSec ?? (range ? range.endSec - range.startSec : source.durationSec);
      const plan: EncodePlan = {
        profileName: profile.name,
        input: {
          url: source.input,
          range: range ?? null,
          videoStreamIndex: 0,
          audioStreamIndex: chunk ? null : 1,
        },
        video: {
          encoder: "libx264",
          hardware: false,
          deviceOptions: [],
          filters: [],
          options: [],
          frameRate: `${RATE}/1`,
        },
        audio: { mode: "none" },
        container: { format: "mp4", faststart: true },
        expected: { video: { codec: "h264", width: 1280, height: 720 }, audio: null, durationSec: seconds },
      };
      return plan;
    },
    encode: (plan, options) =>
      simulate((plan.expected.durationSec / speed) * 1000, plan.expected.durationSec, options, "video"),
    capabilities: async () => ({
      encoders: [{ name: "libx264", codec: "h264", hardware: false }],
      hwaccels: [],
      audioCodecs: ["aac"],
      containers: ["mp4"],
    }),
    split,
  };
}
