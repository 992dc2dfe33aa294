// Test support: an encoder plugin without ffmpeg. Probes answer what the test says; each encode waits
// until the test settles it, writing a real file for a success so checksums and moves can be checked.
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type {
  EncodeOptions,
  EncodeOutcome,
  EncodePlan,
  EncoderPlugin,
  ProbeFailure,
  SourceInfo,
} from "../../plugins/sdk/encoderPlugin.ts";

export const sourceInfoFixture = (input: string): SourceInfo => ({
  _tag: "SourceInfo",
  input,
  formatName: "mov,mp4,m4a,3gp,3g2,mj2",
  durationSec: 2,
  sizeBytes: null,
  video: {
    index: 0,
    codec: "h264",
    width: 320,
    height: 240,
    sampleAspectRatio: [1, 1],
    rotation: 0,
    frameRate: "30/1",
    avgFrameRate: "30/1",
    variableFrameRate: false,
    pixFmt: "yuv420p",
  },
  audio: { index: 1, codec: "aac", channels: 2, sampleRate: 48_000 },
  audioTrackCount: 1,
});

export interface PendingEncode {
  plan: EncodePlan;
  options: EncodeOptions;
  /** Writes `<attemptId>.mp4` with these bytes and reports it encoded. */
  succeed(bytes?: string): Promise<string>;
  fail(outcome: Omit<Extract<EncodeOutcome, { _tag: "EncodeFailed" }>, "_tag">): void;
}

export interface FakeEncoder extends EncoderPlugin {
  probeAnswer: (input: string) => SourceInfo | ProbeFailure;
  /** The next encode the worker starts. */
  nextEncode(): Promise<PendingEncode>;
}

export function createFakeEncoder(): FakeEncoder {
  const started: PendingEncode[] = [];
  const waiting: ((encode: PendingEncode) => void)[] = [];
  const fake: FakeEncoder = {
    probeAnswer: sourceInfoFixture,
    async probe(input) {
      return fake.probeAnswer(input);
    },
    async plan(profile, source) {
      return {
        profileName: profile.name,
        input: { url: source.input, range: null, videoStreamIndex: 0, audioStreamIndex: 1 },
        video: {
          encoder: "libx264",
          hardware: false,
          deviceOptions: [],
          filters: [],
          options: [],
          frameRate: "30/1",
        },
        audio: { mode: "encode", encoder: "aac", bitrateKbps: 96, sampleRate: 48_000, channels: 2 },
        container: { format: "mp4", faststart: true },
        expected: {
          video: { codec: "h264", width: 320, height: 240 },
          audio: { codec: "aac", channels: 2, sampleRate: 48_000 },
          durationSec: source.durationSec,
        },
      };
    },
    encode(plan, options) {
      return new Promise<EncodeOutcome>((resolve) => {
        const encode: PendingEncode = {
          plan,
          options,
          async succeed(bytes = "encoded video") {
            await mkdir(options.workDir, { recursive: true });
            const path = join(options.workDir, `${options.attemptId}.mp4`);
            await writeFile(path, bytes);
            const checksum = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
            resolve({ _tag: "Encoded", path, sizeBytes: Buffer.byteLength(bytes), checksum, durationSec: 2 });
            return path;
          },
          fail: (outcome) => resolve({ _tag: "EncodeFailed", ...outcome }),
        };
        options.signal?.addEventListener("abort", () =>
          resolve({ _tag: "EncodeFailed", exitClass: "cancelled", message: "aborted", stderrTail: "" }),
        );
        options.onProgress?.({ pct: 0, outTimeSec: 0, fps: null, speed: null, etaSeconds: null });
        const waiter = waiting.shift();
        if (waiter) waiter(encode);
        else started.push(encode);
      });
    },
    async capabilities() {
      return {
        encoders: [{ name: "libx264", codec: "h264", hardware: false }],
        hwaccels: [],
        audioCodecs: ["aac"],
        containers: ["mp4"],
      };
    },
    nextEncode() {
      const encode = started.shift();
      return encode ? Promise.resolve(encode) : new Promise((resolve) => waiting.push(resolve));
    },
  };
  return fake;
}
