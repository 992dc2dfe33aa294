import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EncodeProfile, SourceFrames, SourceInfo, VideoStreamInfo } from "../sdk/encoderPlugin.ts";
import { buildFfmpegArgs, subtitleTrackArgs } from "./buildFfmpegArgs.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { planEncode } from "./planEncode.ts";

const hd = builtInProfiles["1080p_h264"];

const source = (video: Partial<VideoStreamInfo> = {}, rest: Partial<SourceInfo> = {}): SourceInfo => ({
  _tag: "SourceInfo",
  input: "/media/in.mp4",
  formatName: "mov,mp4,m4a,3gp,3g2,mj2",
  durationSec: 10,
  sizeBytes: 1000,
  video: {
    index: 0,
    codec: "h264",
    width: 1920,
    height: 1080,
    sampleAspectRatio: [1, 1],
    rotation: 0,
    frameRate: "30/1",
    avgFrameRate: "30/1",
    variableFrameRate: false,
    pixFmt: "yuv420p",
    ...video,
  },
  audio: { index: 1, codec: "aac", channels: 2, sampleRate: 44100 },
  audioTrackCount: 1,
  ...rest,
});

const frame = (plan: ReturnType<typeof planEncode>) => [
  plan.expected.video.width,
  plan.expected.video.height,
];

describe("planEncode", () => {
  it("limits the video encoder to the threads a worker is given, and leaves ffmpeg its choice otherwise", () => {
    const limited = planEncode(hd, source(), { threads: 1 });
    expect(limited.video.options).toContainEqual(["-threads", "1"]);
    expect(limited.threads).toBe(1);
    // decoder and filters too, so one worker of one thread keeps to one core
    const args = buildFfmpegArgs(limited, "/tmp/out.mp4");
    expect(args.slice(args.indexOf("-i") - 2, args.indexOf("-i"))).toEqual(["-threads", "1"]);
    expect(args).toContain("-filter_threads");
    expect(planEncode(hd, source()).video.options.map(([flag]) => flag)).not.toContain("-threads");
  });

  it("encodes a chunk the planner timed: its seek, its frames, the grid laid from its first frame", () => {
    const plan = planEncode(hd, source(), {
      range: { startSec: 4, endSec: 8 },
      chunkTiming: { seekSec: 3.983, firstFrame: 120, frameCount: 120, gridStartSec: 4, durationSec: 4 },
    });
    expect(plan.input.chunk).toEqual({ seekSec: 3.983, firstFrame: 120, frameCount: 120 });
    expect(plan.video.filters.slice(0, 2)).toEqual([
      "fps=30/1:start_time=4.000000000",
      "setpts=PTS-STARTPTS",
    ]);
    expect(plan.audio).toEqual({ mode: "none" });
    expect(plan.expected.durationSec).toBe(4);
  });

  it("follows the spec's 1080p recipe: libx264 fast, high@4.1, 5000k, AAC 192k 48 kHz stereo, mp4 +faststart", () => {
    const plan = planEncode(hd, source({ width: 3840, height: 2160 }));
    expect(plan.video.encoder).toBe("libx264");
    expect(plan.video.hardware).toBe(false);
    expect(plan.video.options).toEqual([
      ["-preset", "fast"],
      ["-profile:v", "high"],
      ["-level:v", "4.1"],
      ["-b:v", "5000k"],
      ["-maxrate", "5500k"],
      ["-bufsize", "10000k"],
      ["-g", "60"],
    ]);
    expect(plan.video.filters).toEqual(["fps=30/1", "scale=1920:1080", "setsar=1", "format=yuv420p"]);
    expect(plan.audio).toEqual({
      mode: "encode",
      encoder: "aac",
      bitrateKbps: 192,
      sampleRate: 48000,
      channels: 2,
    });
    expect(plan.container).toEqual({ format: "mp4", faststart: true });
    expect(plan.expected).toEqual({
      video: { codec: "h264", width: 1920, height: 1080 },
      audio: { codec: "aac", channels: 2, sampleRate: 48000 },
      durationSec: 10,
    });
  });

  it("fits a wider or taller source inside the frame, keeping its aspect", () => {
    expect(frame(planEncode(hd, source({ width: 3840, height: 1600 })))).toEqual([1920, 800]);
    expect(frame(planEncode(hd, source({ width: 1440, height: 1440 })))).toEqual([1080, 1080]);
    expect(frame(planEncode(builtInProfiles["480p_fast"], source({ width: 1280, height: 720 })))).toEqual([
      854, 480,
    ]);
  });

  it("never upscales: a small source keeps its size, no pad to the bigger frame", () => {
    const plan = planEncode(hd, source({ width: 320, height: 240 }));
    expect(frame(plan)).toEqual([320, 240]);
    expect(plan.video.filters.join(",")).not.toMatch(/pad=/);
  });

  it("upscales only when the profile asks for it", () => {
    const upscaling: EncodeProfile = { ...hd, video: { ...hd.video, upscale: true } };
    expect(frame(planEncode(upscaling, source({ width: 320, height: 240 })))).toEqual([1440, 1080]);
  });

  it("keeps both sides even, rounding odd sources down", () => {
    expect(frame(planEncode(hd, source({ width: 321, height: 241 })))).toEqual([320, 240]);
  });

  it("turns the frame for rotated sources, fitting a portrait frame", () => {
    expect(frame(planEncode(hd, source({ width: 320, height: 240, rotation: 90 })))).toEqual([240, 320]);
    expect(frame(planEncode(hd, source({ width: 1920, height: 1080, rotation: 270 })))).toEqual([1080, 1920]);
    expect(frame(planEncode(hd, source({ width: 3840, height: 2160, rotation: 90 })))).toEqual([1080, 1920]);
    expect(frame(planEncode(hd, source({ width: 320, height: 240, rotation: 180 })))).toEqual([320, 240]);
  });

  it("outputs square pixels for anamorphic sources", () => {
    // DVD NTSC 16:9: 720×480 stored, shown 853×480.
    const plan = planEncode(hd, source({ width: 720, height: 480, sampleAspectRatio: [32, 27] }));
    expect(frame(plan)).toEqual([852, 480]);
    expect(plan.video.filters).toContain("setsar=1");
  });

  it("gives variable frame rate sources a constant rate (the nominal one)", () => {
    const plan = planEncode(
      hd,
      source({ frameRate: "30/1", avgFrameRate: "185/14", variableFrameRate: true }),
    );
    expect(plan.video.frameRate).toBe("30/1");
    expect(plan.video.filters[0]).toBe("fps=30/1");
  });

  it("uses the nearest standard rate when the nominal rate is a timebase", () => {
    const plan = planEncode(
      hd,
      source({ frameRate: "90000/1", avgFrameRate: "2997/100", variableFrameRate: true }),
    );
    expect(plan.video.frameRate).toBe("30000/1001");
  });

  it("halves rates above the profile's maximum so motion stays even", () => {
    expect(planEncode(hd, source({ frameRate: "60000/1001" })).video.frameRate).toBe("30000/1001");
    expect(planEncode(hd, source({ frameRate: "50/1" })).video.frameRate).toBe("25/1");
    expect(planEncode(builtInProfiles["720p_h264"], source({ frameRate: "60/1" })).video.frameRate).toBe(
      "60/1",
    );
    expect(planEncode(hd, source({ frameRate: "24000/1001" })).video.frameRate).toBe("24000/1001");
  });

  it("plans no audio for a source without audio", () => {
    const plan = planEncode(hd, source({}, { audio: null, audioTrackCount: 0 }));
    expect(plan.audio).toEqual({ mode: "none" });
    expect(plan.input.audioStreamIndex).toBeNull();
    expect(plan.expected.audio).toBeNull();
  });

  it("takes the first audio track of several", () => {
    const plan = planEncode(
      hd,
      source(
        { index: 2 },
        { audio: { index: 3, codec: "ac3", channels: 6, sampleRate: 48000 }, audioTrackCount: 3 },
      ),
    );
    expect(plan.input).toMatchObject({ videoStreamIndex: 2, audioStreamIndex: 3 });
  });

  it("plans a range for split encoding, clamped to the source's end", () => {
    expect(planEncode(hd, source(), { range: { startSec: 2, endSec: 6 } })).toMatchObject({
      input: { range: { startSec: 2, endSec: 6 } },
      expected: { durationSec: 4 },
    });
    expect(planEncode(hd, source(), { range: { startSec: 8, endSec: 20 } }).expected.durationSec).toBe(2);
    expect(() => planEncode(hd, source(), { range: { startSec: 4, endSec: 4 } })).toThrow(RangeError);
    expect(() => planEncode(hd, source(), { range: { startSec: 12, endSec: 14 } })).toThrow(RangeError);
    expect(() => planEncode(hd, source(), { range: { startSec: -1, endSec: 2 } })).toThrow(RangeError);
  });

  it("drives the first encoder of the worker's choice and plans the software one after it as the fallback", () => {
    const nvenc = { name: "h264_nvenc", codec: "h264", hardware: true } as const;
    const x264 = { name: "libx264", codec: "h264", hardware: false } as const;
    const withGpu = planEncode(hd, source(), { encoders: [nvenc, x264] });
    expect(withGpu.video).toMatchObject({ encoder: "h264_nvenc", hardware: true });
    expect(withGpu.video.options).toContainEqual(["-b:v", "5000k"]);
    // the fallback is the software plan of the same output, frame for frame
    const software = planEncode(hd, source());
    expect(withGpu.fallbackVideo).toEqual(software.video);
    expect(withGpu.expected).toEqual(software.expected);
    // a software first choice needs no fallback; no choice at all is the codec's software encoder
    expect(planEncode(hd, source(), { encoders: [x264] }).fallbackVideo).toBeUndefined();
    expect(software.video.encoder).toBe("libx264");
    expect(software.fallbackVideo).toBeUndefined();
    // a GPU encoder without a proven software encoder after it has nothing to fall back to
    expect(planEncode(hd, source(), { encoders: [nvenc] }).fallbackVideo).toBeUndefined();
    const vaapi = planEncode(hd, source(), {
      encoders: [{ name: "h264_vaapi", codec: "h264", hardware: true }, x264],
    });
    expect(vaapi.video.deviceOptions).toEqual(["-vaapi_device", "/dev/dri/renderD128"]);
    expect(vaapi.video.filters.slice(-2)).toEqual(["format=nv12", "hwupload"]);
    expect(vaapi.fallbackVideo?.deviceOptions).toEqual([]);
    expect(vaapi.fallbackVideo?.filters.at(-1)).toBe("format=yuv420p");
  });

  it("skips names of the choice it cannot drive for the codec, and falls back to libaom-av1 when it is the proven AV1 encoder", () => {
    const av1: EncodeProfile = { ...hd, video: { ...hd.video, codec: "av1", preset: "8" } };
    const choice = [
      { name: "mystery_gpu", codec: "av1", hardware: true },
      { name: "h264_nvenc", codec: "h264", hardware: true },
      { name: "av1_nvenc", codec: "av1", hardware: true },
      { name: "libaom-av1", codec: "av1", hardware: false },
    ] as const;
    const plan = planEncode(av1, source(), { encoders: choice });
    expect(plan.video.encoder).toBe("av1_nvenc");
    expect(plan.fallbackVideo?.encoder).toBe("libaom-av1");
    // SVT-AV1's preset 8 of 13 is libaom's cpu-used 5 of 8
    expect(plan.fallbackVideo?.options).toContainEqual(["-cpu-used", "5"]);
  });

  it("uses libx265 and libsvtav1 for hevc and av1 profiles", () => {
    const hevc: EncodeProfile = {
      ...hd,
      video: { ...hd.video, codec: "hevc", profile: undefined, level: undefined },
    };
    const av1: EncodeProfile = { ...hd, video: { ...hd.video, codec: "av1", preset: "8" } };
    expect(planEncode(hevc, source()).video.encoder).toBe("libx265");
    expect(planEncode(hevc, source()).video.options).toContainEqual(["-tag:v", "hvc1"]);
    expect(planEncode(av1, source()).video.encoder).toBe("libsvtav1");
  });

  it("always yields an even frame inside the (turned) box, never bigger than the source", () => {
    const profiles = Object.values(builtInProfiles);
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8000 }),
        fc.integer({ min: 2, max: 8000 }),
        fc.constantFrom(0, 90, 180, 270),
        fc.constantFrom(...profiles),
        (width, height, rotation, profile) => {
          const plan = planEncode(
            profile,
            source({ width, height, rotation: rotation as 0 | 90 | 180 | 270 }),
          );
          const [w = 0, h = 0] = frame(plan);
          const turned = rotation === 90 || rotation === 270;
          const [dw, dh] = turned ? [height, width] : [width, height];
          const long = Math.max(profile.video.maxWidth, profile.video.maxHeight);
          const short = Math.min(profile.video.maxWidth, profile.video.maxHeight);
          expect(w % 2).toBe(0);
          expect(h % 2).toBe(0);
          expect(Math.max(w, h)).toBeLessThanOrEqual(long);
          expect(Math.min(w, h)).toBeLessThanOrEqual(short);
          expect(w).toBeLessThanOrEqual(Math.max(2, dw));
          expect(h).toBeLessThanOrEqual(Math.max(2, dh));
          // Orientation is kept, and the aspect within what rounding to even pixels costs.
          if (dw > dh + 4) expect(w).toBeGreaterThanOrEqual(h);
          if (dh > dw + 4) expect(h).toBeGreaterThanOrEqual(w);
          const scale = Math.min(1, long / Math.max(dw, dh), short / Math.min(dw, dh));
          expect(Math.abs(w - dw * scale)).toBeLessThanOrEqual(2);
          expect(Math.abs(h - dh * scale)).toBeLessThanOrEqual(2);
        },
      ),
    );
  });
});

describe("planEncode for a chunk of a split encode", () => {
  const framesOf = (times: readonly number[], endSec: number): SourceFrames => ({
    _tag: "SourceFrames",
    videoStreamIndex: 0,
    startTimeSec: 0,
    frameTimesSec: times,
    keyframeTimesSec: [0],
    endSec,
    frameCount: times.length,
    declaredFrameCount: times.length,
    frameRate: "30/1",
    avgFrameRate: "30/1",
    variableFrameRate: false,
    openGop: false,
  });
  const cfr30 = framesOf(
    Array.from({ length: 300 }, (_, i) => i / 30),
    10,
  );
  const chunkPlan = (frames: SourceFrames, startSec: number, endSec: number, fps = "30/1", maxFps = 60) =>
    planEncode(
      { ...hd, video: { ...hd.video, maxFps } },
      source({ frameRate: fps, avgFrameRate: fps }, { durationSec: frames.endSec }),
      {
        chunk: { frames, startSec, endSec },
      },
    );

  it("encodes video only, owns the output frames from its start up to the next chunk's, and seeks one frame early", () => {
    const plan = chunkPlan(cfr30, 4, 8);
    expect(plan.input.chunk).toEqual({ seekSec: 118.5 / 30, firstFrame: 120, frameCount: 120 });
    expect(plan.input.range).toEqual({ startSec: 4, endSec: 8 });
    expect(plan.audio).toEqual({ mode: "none" });
    expect(plan.expected).toMatchObject({ audio: null, durationSec: 4 });
    expect(plan.video.filters.slice(0, 2)).toEqual([
      "fps=30/1:start_time=4.000000000",
      "setpts=PTS-STARTPTS",
    ]);
  });

  it("starts the first chunk at the file's start and lets the last run to the end", () => {
    expect(chunkPlan(cfr30, 0, 4).input.chunk).toEqual({ seekSec: 0, firstFrame: 0, frameCount: 120 });
    const last = chunkPlan(cfr30, 8, 10);
    expect(last.input.chunk).toEqual({ seekSec: 238.5 / 30, firstFrame: 240, frameCount: null });
    expect(last.expected.durationSec).toBeCloseTo(2, 9);
  });

  it("counts output frames on the profile's rate, not the source's (60 fps halved to 30)", () => {
    const frames = framesOf(
      Array.from({ length: 600 }, (_, i) => i / 60),
      10,
    );
    const plan = chunkPlan(frames, 3 / 60, 121 / 60, "60/1", 30);
    expect(plan.video.frameRate).toBe("30/1");
    expect(plan.input.chunk).toMatchObject({ firstFrame: 2, frameCount: 59 });
  });

  it("gives every output frame to exactly one chunk, however the source is cut", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.004, max: 0.5, noNaN: true }), {
          minLength: 2,
          maxLength: 400,
          size: "max",
        }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (gaps, picks) => {
          const times: number[] = [];
          let t = 0;
          for (const gap of gaps) {
            times.push(Math.round(t * 1e6) / 1e6);
            t += gap;
          }
          const frames = framesOf(times, t);
          const cuts = [...new Set(picks.map((p) => times[1 + (p % (times.length - 1))] ?? 0))].sort(
            (a, b) => a - b,
          );
          const bounds = [0, ...cuts, t];
          let next = 0;
          for (let i = 0; i + 1 < bounds.length; i++) {
            const chunk = chunkPlan(frames, bounds[i] ?? 0, bounds[i + 1] ?? 0).input.chunk;
            expect(chunk?.firstFrame).toBe(next);
            expect(chunk?.seekSec).toBeLessThan(bounds[i] === 0 ? 1e-9 : (bounds[i] ?? 0));
            if (i + 2 < bounds.length) {
              expect(chunk?.frameCount).toBeGreaterThanOrEqual(0);
              next += chunk?.frameCount ?? 0;
            } else expect(chunk?.frameCount).toBeNull();
          }
        },
      ),
    );
  });
});

describe("planEncode for packaging and other containers", () => {
  describe("aligned keyframes", () => {
    const aligned = (codec: EncodeProfile["video"]["codec"], preset: string): EncodeProfile => ({
      ...hd,
      video: { ...hd.video, codec, preset, alignedKeyframes: true },
      container: codec === "vp9" ? "webm" : "mp4",
      audio: codec === "vp9" ? { codec: "opus", bitrateKbps: 96, sampleRate: 48_000, channels: 2 } : hd.audio,
    });
    const options = (profile: EncodeProfile) => planEncode(profile, source()).video.options;

    it("x264: keyint equals min-keyint and no scene cuts", () => {
      expect(options(aligned("h264", "fast"))).toEqual(
        expect.arrayContaining([
          ["-g", "60"],
          ["-keyint_min", "60"],
          ["-sc_threshold", "0"],
        ]),
      );
      expect(options(hd).map(([flag]) => flag)).not.toContain("-sc_threshold");
    });

    it("x265: scenecut=0 with a closed GOP of exactly the interval, hvc1 in mp4", () => {
      expect(options(aligned("hevc", "fast"))).toEqual(
        expect.arrayContaining([
          ["-x265-params", "log-level=error:keyint=60:min-keyint=60:scenecut=0:open-gop=0"],
          ["-tag:v", "hvc1"],
        ]),
      );
    });

    it("libvpx-vp9: the minimum keyframe distance equals the maximum, row-mt on", () => {
      expect(options(aligned("vp9", "good"))).toEqual(
        expect.arrayContaining([
          ["-g", "60"],
          ["-keyint_min", "60"],
          ["-row-mt", "1"],
          ["-deadline", "good"],
        ]),
      );
    });

    it("SVT-AV1: -g with scene-change detection off", () => {
      expect(options(aligned("av1", "8"))).toEqual(
        expect.arrayContaining([
          ["-preset", "8"],
          ["-g", "60"],
          ["-svtav1-params", "scd=0"],
        ]),
      );
    });

    it("hardware encoders get a forced keyframe on every grid point", () => {
      const plan = planEncode(aligned("h264", "fast"), source(), {
        encoders: [{ name: "h264_nvenc", codec: "h264", hardware: true }],
      });
      expect(plan.video.options).toEqual(
        expect.arrayContaining([
          ["-force_key_frames", "expr:eq(mod(n,60),0)"],
          ["-no-scenecut", "1"],
        ]),
      );
    });
  });

  describe("containers and audio", () => {
    it("VP9 with Opus in WebM: libopus at 48 kHz, no faststart, the webm muxer", () => {
      const profile: EncodeProfile = {
        ...hd,
        video: { ...hd.video, codec: "vp9", preset: "good" },
        audio: { codec: "opus", bitrateKbps: 96, sampleRate: 44_100, channels: 2 },
        container: "webm",
      };
      const plan = planEncode(profile, source());
      expect(plan.audio).toEqual({
        mode: "encode",
        encoder: "libopus",
        bitrateKbps: 96,
        sampleRate: 48_000,
        channels: 2,
      });
      expect(plan.expected.audio).toEqual({ codec: "opus", channels: 2, sampleRate: 48_000 });
      expect(plan.container).toEqual({ format: "webm", faststart: false });
      const args = buildFfmpegArgs(plan, "/tmp/out.webm");
      expect(args.slice(-3)).toEqual(["-f", "webm", "file:/tmp/out.webm"]);
    });

    it("Matroska is muxed as matroska", () => {
      const args = buildFfmpegArgs(planEncode({ ...hd, container: "mkv" }, source()), "/tmp/out.mkv");
      expect(args.slice(-3)).toEqual(["-f", "matroska", "file:/tmp/out.mkv"]);
      expect(args).not.toContain("+faststart");
    });

    it("a profile without audio makes a silent output from a source with audio", () => {
      const plan = planEncode({ ...hd, audio: null }, source());
      expect(plan.audio).toEqual({ mode: "none" });
      expect(plan.input.audioStreamIndex).toBeNull();
      expect(plan.expected.audio).toBeNull();
    });

    it("refuses what WebM cannot hold", () => {
      expect(() => planEncode({ ...hd, container: "webm" }, source())).toThrow(/WebM holds VP9 or AV1/);
    });
  });
});

describe("planEncode with a burnt-in subtitle", () => {
  const withSubs = (rest: Partial<SourceInfo> = {}) => source({}, { subtitleStreamIndexes: [2, 3], ...rest });

  it("renders a text track with libass from the source, counting subtitle streams only", () => {
    const plan = planEncode({ ...hd, burnInSubtitle: { streamIndex: 3, text: true } }, withSubs());
    expect(plan.video.filters.slice(0, 2)).toEqual(["fps=30/1", "subtitles=filename=/media/in.mp4:si=1"]);
    expect(plan.video.overlay).toBeUndefined();
  });

  it("draws a remote source's text track from a copy the encode makes first in its own folder", () => {
    const plan = planEncode(
      { ...hd, burnInSubtitle: { streamIndex: 3, text: true } },
      withSubs({ input: "https://media.example/talk.mkv" }),
    );
    expect(plan.video.filters.slice(0, 2)).toEqual(["fps=30/1", "subtitles=filename=burn-in.ass"]);
    expect(plan.video.subtitleTrack).toEqual({ streamIndex: 3, file: "burn-in.ass" });
    expect(subtitleTrackArgs(plan)?.slice(-9)).toEqual([
      "-i",
      "https://media.example/talk.mkv",
      "-map",
      "0:3",
      "-c:s",
      "ass",
      "-f",
      "ass",
      "file:burn-in.ass",
    ]);
    // a local source's encode needs no copy
    expect(
      subtitleTrackArgs(planEncode({ ...hd, burnInSubtitle: { streamIndex: 3, text: true } }, withSubs())),
    ).toBeNull();
  });

  it("gives a seeked range its source times back while the subtitles are drawn", () => {
    const plan = planEncode({ ...hd, burnInSubtitle: { streamIndex: 2, text: true } }, withSubs(), {
      range: { startSec: 4, endSec: 8 },
    });
    expect(plan.video.filters.slice(0, 4)).toEqual([
      "fps=30/1",
      "setpts=PTS+4.000000/TB",
      "subtitles=filename=/media/in.mp4:si=0",
      "setpts=PTS-STARTPTS",
    ]);
  });

  it("draws a chunk's subtitles before its timestamps restart at zero", () => {
    const plan = planEncode({ ...hd, burnInSubtitle: { streamIndex: 2, text: true } }, withSubs(), {
      range: { startSec: 4, endSec: 8 },
      chunkTiming: { seekSec: 3.983, firstFrame: 120, frameCount: 120, gridStartSec: 4, durationSec: 4 },
    });
    expect(plan.video.filters.slice(0, 3)).toEqual([
      "fps=30/1:start_time=4.000000000",
      "subtitles=filename=/media/in.mp4:si=0",
      "setpts=PTS-STARTPTS",
    ]);
  });

  it("escapes a path for the filter graph", () => {
    const plan = planEncode(
      { ...hd, burnInSubtitle: { streamIndex: 2, text: true } },
      withSubs({ input: "/media/it's: a, [test].mkv" }),
    );
    expect(plan.video.filters[1]).toBe("subtitles=filename=/media/it\\\\\\'s\\\\: a\\, \\[test\\].mkv:si=0");
  });

  it("lays a bitmap track over the picture after the rate filter, before scaling", () => {
    const plan = planEncode({ ...hd, burnInSubtitle: { streamIndex: 3, text: false } }, withSubs());
    expect(plan.video.overlay).toEqual({ streamIndex: 3, after: 1 });
    const args = buildFfmpegArgs(plan, "/tmp/out.mp4");
    expect(args).not.toContain("-vf");
    expect(args[args.indexOf("-filter_complex") + 1]).toBe(
      "[0:0]fps=30/1[picture];[picture][0:3]overlay=eof_action=pass:repeatlast=0,scale=1920:1080,setsar=1,format=yuv420p[video]",
    );
    expect(args.slice(args.indexOf("-filter_complex") + 2, args.indexOf("-filter_complex") + 4)).toEqual([
      "-map",
      "[video]",
    ]);
  });

  it("refuses a stream that is not one of the source's subtitle streams", () => {
    expect(() => planEncode({ ...hd, burnInSubtitle: { streamIndex: 1, text: true } }, withSubs())).toThrow(
      /not a subtitle stream/,
    );
  });
});
