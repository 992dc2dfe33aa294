import { describe, expect, it } from "vitest";
import type { EncodePlan, SourceFrames, SourceInfo } from "../sdk/encoderPlugin.ts";
import { buildFfmpegArgs } from "./buildFfmpegArgs.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { planEncode } from "./planEncode.ts";

const source = (input: string, audio = true): SourceInfo => ({
  _tag: "SourceInfo",
  input,
  formatName: "mov,mp4,m4a,3gp,3g2,mj2",
  durationSec: 10,
  sizeBytes: null,
  video: {
    index: 0,
    codec: "h264",
    width: 1280,
    height: 720,
    sampleAspectRatio: [1, 1],
    rotation: 0,
    frameRate: "30/1",
    avgFrameRate: "30/1",
    variableFrameRate: false,
    pixFmt: "yuv420p",
  },
  audio: audio ? { index: 1, codec: "aac", channels: 2, sampleRate: 48000 } : null,
  audioTrackCount: audio ? 1 : 0,
});

const plan = (input: string, audio = true, range?: { startSec: number; endSec: number }): EncodePlan =>
  planEncode(builtInProfiles["720p_h264"], source(input, audio), { range });

const valueAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe("buildFfmpegArgs", () => {
  it("starts with the quiet, non-interactive, progress-reporting, overwriting options", () => {
    const args = buildFfmpegArgs(plan("/media/in.mp4"), "/scratch/a.partial.mp4");
    expect(args.slice(0, 9)).toEqual([
      "-hide_banner",
      "-nostdin",
      "-loglevel",
      "warning",
      "-progress",
      "pipe:1",
      "-stats_period",
      "0.5",
      "-y",
    ]);
  });

  it("allows only file and pipe for local inputs, passed as file: URLs", () => {
    const args = buildFfmpegArgs(plan("/media/odd:name.mp4"), "/scratch/a.partial.mp4");
    expect(valueAfter(args, "-protocol_whitelist")).toBe("file,pipe");
    expect(valueAfter(args, "-i")).toBe("file:/media/odd:name.mp4");
    expect(args.at(-1)).toBe("file:/scratch/a.partial.mp4");
    expect(args.indexOf("-protocol_whitelist")).toBeLessThan(args.indexOf("-i"));
  });

  it("allows the network protocols only for http(s) inputs", () => {
    const args = buildFfmpegArgs(plan("https://cdn.example/in.mp4?sig=1"), "/scratch/a.partial.mp4");
    expect(valueAfter(args, "-protocol_whitelist")).toBe("http,https,tcp,tls,httpproxy");
    expect(valueAfter(args, "-i")).toBe("https://cdn.example/in.mp4?sig=1");
    expect(valueAfter(args, "-max_redirects")).toBe("0");
    expect(args.indexOf("-max_redirects")).toBeLessThan(args.indexOf("-i"));
  });

  it("gives every input, local or remote, the allow-list of single-file media demuxers", () => {
    for (const input of ["/media/in.mp4", "https://cdn.example/in.mp4", "rtmp://evil.example/live"]) {
      const args = buildFfmpegArgs(plan(input), "/scratch/a.partial.mp4");
      const formats = valueAfter(args, "-format_whitelist")?.split(",") ?? [];
      expect(formats).toEqual(expect.arrayContaining(["mp4", "matroska", "mpegts"]));
      for (const referencing of ["hls", "applehttp", "dash", "concat", "image2", "lavfi", "sdp", "imf"]) {
        expect(formats).not.toContain(referencing);
      }
      expect(args.indexOf("-format_whitelist")).toBeLessThan(args.indexOf("-i"));
    }
  });

  it("keeps other schemes under the local whitelist, so ffmpeg refuses them", () => {
    const args = buildFfmpegArgs(plan("rtmp://evil.example/live"), "/scratch/a.partial.mp4");
    expect(valueAfter(args, "-protocol_whitelist")).toBe("file,pipe");
  });

  it("maps the probed video and audio streams and encodes AAC", () => {
    const args = buildFfmpegArgs(plan("/media/in.mp4"), "/scratch/a.partial.mp4");
    expect(args.filter((_, i) => args[i - 1] === "-map")).toEqual(["0:0", "0:1"]);
    expect(args.join(" ")).toContain("-c:a aac -b:a 128k -ar 48000 -ac 2");
  });

  it("maps no audio and drops it when the source has none", () => {
    const args = buildFfmpegArgs(plan("/media/in.mp4", false), "/scratch/a.partial.mp4");
    expect(args.filter((_, i) => args[i - 1] === "-map")).toEqual(["0:0"]);
    expect(args).toContain("-an");
    expect(args).not.toContain("-c:a");
  });

  it("forces a constant frame rate and applies the plan's filters and encoder options", () => {
    const p = plan("/media/in.mp4");
    const args = buildFfmpegArgs(p, "/scratch/a.partial.mp4");
    expect(valueAfter(args, "-fps_mode")).toBe("cfr");
    expect(valueAfter(args, "-vf")).toBe("fps=30/1,scale=1280:720,setsar=1,format=yuv420p");
    expect(valueAfter(args, "-c:v")).toBe("libx264");
    expect(args.join(" ")).toContain("-preset fast -profile:v high -level:v 4.1 -b:v 2500k");
    expect(valueAfter(args, "-movflags")).toBe("+faststart");
    expect(valueAfter(args, "-f")).toBe("mp4");
  });

  it("seeks on the input and limits the output for a range", () => {
    const args = buildFfmpegArgs(
      plan("/media/in.mp4", true, { startSec: 2.5, endSec: 6 }),
      "/w/a.partial.mp4",
    );
    expect(valueAfter(args, "-ss")).toBe("2.500000");
    expect(args.indexOf("-ss")).toBeLessThan(args.indexOf("-i"));
    expect(valueAfter(args, "-t")).toBe("3.500000");
    expect(args.indexOf("-t")).toBeGreaterThan(args.indexOf("-i"));
    expect(buildFfmpegArgs(plan("/media/in.mp4"), "/w/a.partial.mp4")).not.toContain("-ss");
  });

  it("encodes a chunk video-only from a decode-accurate seek, keeping source timestamps, for an exact frame count", () => {
    const times = Array.from({ length: 300 }, (_, i) => i / 30);
    const frames: SourceFrames = {
      _tag: "SourceFrames",
      videoStreamIndex: 0,
      startTimeSec: 0,
      frameTimesSec: times,
      keyframeTimesSec: [0],
      endSec: 10,
      frameCount: 300,
      declaredFrameCount: 300,
      frameRate: "30/1",
      avgFrameRate: "30/1",
      variableFrameRate: false,
      openGop: false,
    };
    const chunk = (startSec: number, endSec: number) =>
      buildFfmpegArgs(
        planEncode(builtInProfiles["720p_h264"], source("/media/in.mp4"), {
          chunk: { frames, startSec, endSec },
        }),
        "/w/c.partial.mp4",
      );
    const middle = chunk(4, 8);
    expect(middle.indexOf("-copyts")).toBeLessThan(middle.indexOf("-i"));
    expect(valueAfter(middle, "-ss")).toBe((118.5 / 30).toFixed(6));
    expect(middle.indexOf("-ss")).toBeLessThan(middle.indexOf("-i"));
    expect(valueAfter(middle, "-frames:v")).toBe("120");
    expect(middle.indexOf("-frames:v")).toBeGreaterThan(middle.indexOf("-i"));
    expect(middle).not.toContain("-t");
    expect(middle).toContain("-an");
    expect(middle.filter((_, i) => middle[i - 1] === "-map")).toEqual(["0:0"]);
    expect(valueAfter(middle, "-vf")).toMatch(
      /^fps=30\/1:start_time=4\.000000000,setpts=PTS-STARTPTS,scale=/,
    );
    expect(chunk(0, 4)).not.toContain("-ss");
    expect(chunk(8, 10)).not.toContain("-frames:v");
  });

  it("puts a hardware encoder's device options before the input", () => {
    const vaapi = planEncode(builtInProfiles["720p_h264"], source("/media/in.mp4"), {
      encoders: [{ name: "h264_vaapi", codec: "h264", hardware: true }],
    });
    const args = buildFfmpegArgs(vaapi, "/w/a.partial.mp4");
    expect(args.indexOf("-vaapi_device")).toBeLessThan(args.indexOf("-i"));
    expect(valueAfter(args, "-vf")).toMatch(/format=nv12,hwupload$/);
  });
});
