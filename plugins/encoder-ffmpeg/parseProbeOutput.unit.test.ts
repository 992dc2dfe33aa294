import { describe, expect, it } from "vitest";
import { parseProbeOutput } from "./parseProbeOutput.ts";

const h264 = {
  index: 0,
  codec_name: "h264",
  codec_type: "video",
  width: 1920,
  height: 1080,
  sample_aspect_ratio: "1:1",
  pix_fmt: "yuv420p",
  r_frame_rate: "30000/1001",
  avg_frame_rate: "30000/1001",
  duration: "12.012000",
  disposition: { default: 1, attached_pic: 0 },
};
const aac = (index: number, channels = 2) => ({
  index,
  codec_name: "aac",
  codec_type: "audio",
  sample_rate: "48000",
  channels,
  r_frame_rate: "0/0",
  avg_frame_rate: "0/0",
});
const format = { format_name: "mov,mp4,m4a,3gp,3g2,mj2", duration: "12.012000", size: "1048576" };

const probe = (json: unknown, exitCode = 0, stderr = "") =>
  parseProbeOutput({ input: "/media/in.mp4", exitCode, stdout: JSON.stringify(json), stderr });

describe("parseProbeOutput", () => {
  it("reads duration, format, size, the video stream and the first audio track", () => {
    expect(probe({ streams: [h264, aac(1), aac(2, 6)], format })).toEqual({
      _tag: "SourceInfo",
      input: "/media/in.mp4",
      formatName: "mov,mp4,m4a,3gp,3g2,mj2",
      durationSec: 12.012,
      sizeBytes: 1048576,
      video: {
        index: 0,
        codec: "h264",
        width: 1920,
        height: 1080,
        sampleAspectRatio: [1, 1],
        rotation: 0,
        frameRate: "30000/1001",
        avgFrameRate: "30000/1001",
        variableFrameRate: false,
        pixFmt: "yuv420p",
      },
      audio: { index: 1, codec: "aac", channels: 2, sampleRate: 48000 },
      audioTrackCount: 2,
      subtitleStreamIndexes: [],
    });
  });

  it("has no audio when the source has none", () => {
    const source = probe({ streams: [h264], format });
    expect(source._tag === "SourceInfo" && source.audio).toBeNull();
    expect(source._tag === "SourceInfo" && source.audioTrackCount).toBe(0);
  });

  it("reads rotation from the display matrix, normalised to 0–270", () => {
    const rotated = (side: number) =>
      probe({
        streams: [{ ...h264, side_data_list: [{ side_data_type: "Display Matrix", rotation: side }] }],
        format,
      });
    expect(rotated(90)).toMatchObject({ video: { rotation: 90 } });
    expect(rotated(-90)).toMatchObject({ video: { rotation: 270 } });
    expect(rotated(180)).toMatchObject({ video: { rotation: 180 } });
    expect(rotated(-180)).toMatchObject({ video: { rotation: 180 } });
  });

  it("reads rotation from an older file's (clockwise) rotate tag", () => {
    expect(probe({ streams: [{ ...h264, tags: { rotate: "270" } }], format })).toMatchObject({
      video: { rotation: 90 },
    });
    expect(probe({ streams: [{ ...h264, tags: { rotate: "90" } }], format })).toMatchObject({
      video: { rotation: 270 },
    });
  });

  it("guesses a variable frame rate when nominal and average rates differ", () => {
    const vfr = probe({ streams: [{ ...h264, r_frame_rate: "30/1", avg_frame_rate: "185/14" }], format });
    expect(vfr).toMatchObject({
      video: { variableFrameRate: true, frameRate: "30/1", avgFrameRate: "185/14" },
    });
  });

  it("keeps a non-square sample aspect ratio and treats 0:1 or N/A as square", () => {
    expect(probe({ streams: [{ ...h264, sample_aspect_ratio: "4:3" }], format })).toMatchObject({
      video: { sampleAspectRatio: [4, 3] },
    });
    expect(probe({ streams: [{ ...h264, sample_aspect_ratio: "0:1" }], format })).toMatchObject({
      video: { sampleAspectRatio: [1, 1] },
    });
  });

  it("skips cover art and picks the real video stream", () => {
    const cover = { ...h264, index: 0, codec_name: "mjpeg", disposition: { attached_pic: 1 } };
    expect(probe({ streams: [cover, { ...h264, index: 1 }, aac(2)], format })).toMatchObject({
      video: { index: 1, codec: "h264" },
    });
  });

  it("falls back to the video stream's duration when the container has none", () => {
    expect(probe({ streams: [h264], format: { format_name: "matroska,webm" } })).toMatchObject({
      durationSec: 12.012,
      sizeBytes: null,
    });
  });

  it("fails with not_media when there is neither video nor audio (junk read as subtitles)", () => {
    const lrc = { index: 0, codec_type: "subtitle", codec_name: "text" };
    expect(probe({ streams: [lrc], format: { format_name: "lrc" } })).toMatchObject({ reason: "not_media" });
  });

  it("fails with no_video for audio-only files, even with cover art", () => {
    const cover = { ...h264, codec_name: "mjpeg", disposition: { attached_pic: 1 } };
    expect(probe({ streams: [aac(0)], format })).toMatchObject({ _tag: "ProbeFailure", reason: "no_video" });
    expect(probe({ streams: [cover, aac(1)], format })).toMatchObject({
      _tag: "ProbeFailure",
      reason: "no_video",
    });
  });

  it("fails with not_media when there is no duration (a still image)", () => {
    const png = { ...h264, codec_name: "png", duration: undefined };
    expect(probe({ streams: [png], format: { format_name: "png_pipe" } })).toMatchObject({
      _tag: "ProbeFailure",
      reason: "not_media",
    });
  });

  it("says whose fault a failed probe is, from ffprobe's stderr", () => {
    const failed = (stderr: string) => probe({}, 1, stderr);
    expect(failed("file:/media/in.mp4: No such file or directory\n")).toMatchObject({ reason: "not_found" });
    expect(
      failed(
        "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] moov atom not found\nfile:/media/in.mp4: Invalid data found when processing input\n",
      ),
    ).toMatchObject({ reason: "truncated" });
    const junkNamedMp4 = parseProbeOutput({
      input: "/media/in.mp4",
      exitCode: 1,
      stdout: "",
      stderr:
        "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] moov atom not found\nin.mp4: Invalid data found when processing input\n",
      startsLikeMp4: false,
    });
    expect(junkNamedMp4).toMatchObject({ reason: "not_media" });
    expect(failed("file:/media/in.mp4: Invalid data found when processing input\n")).toMatchObject({
      reason: "not_media",
      message: expect.stringContaining("Invalid data found"),
    });
    expect(failed("https://cdn.example/in.mp4: Server returned 404 Not Found\n")).toMatchObject({
      reason: "not_found",
    });
    expect(failed("Protocol 'rtmp' not on whitelist 'file,pipe'!\n")).toMatchObject({ reason: "not_media" });
    expect(failed("https://cdn.example/in.mp4: Connection refused\n")).toMatchObject({
      reason: "probe_error",
    });
  });

  it("fails with probe_error on output that is not ffprobe JSON", () => {
    expect(parseProbeOutput({ input: "x", exitCode: 0, stdout: "not json", stderr: "" })).toMatchObject({
      _tag: "ProbeFailure",
      reason: "probe_error",
    });
    expect(probe({ streams: "nope" })).toMatchObject({ _tag: "ProbeFailure", reason: "probe_error" });
  });
});
