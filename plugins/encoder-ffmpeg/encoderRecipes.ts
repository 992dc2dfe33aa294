// The encoders we know how to drive: for hardware ones how to open their device and the filters
// that hand them frames, for all their rate-control options. detectEncoders proves each with exactly
// these settings, so an encoder that passed the proof is driven the same way in a real encode.
import type { EncodeProfile, VideoCodec } from "../sdk/encoderPlugin.ts";

export interface EncoderRecipe {
  readonly name: string;
  readonly codec: VideoCodec;
  /** The hwaccel / device type a hardware encoder needs (as `ffmpeg -hwaccels` names it). */
  readonly device: string | null;
  readonly deviceOptions: readonly string[];
  /** Appended to the software filter chain (which ends in yuv420p). */
  readonly uploadFilters: readonly string[];
  readonly options: (video: EncodeProfile["video"]) => (readonly [string, string])[];
}

const rate = (video: EncodeProfile["video"]): (readonly [string, string])[] => [
  ["-b:v", `${video.bitrateKbps}k`],
  ["-maxrate", `${video.maxrateKbps}k`],
  ["-bufsize", `${video.bufsizeKbps}k`],
];

const h264Profile = (video: EncodeProfile["video"]): (readonly [string, string])[] =>
  video.profile ? [["-profile:v", video.profile]] : [];

const nvenc = (name: string, codec: VideoCodec): EncoderRecipe => ({
  name,
  codec,
  device: "cuda",
  deviceOptions: [],
  uploadFilters: [],
  options: (video) => [
    ["-preset", "p4"],
    ["-tune", "hq"],
    ["-rc", "vbr"],
    ...rate(video),
    ...(codec === "h264" ? h264Profile(video) : []),
  ],
});

const qsv = (name: string, codec: VideoCodec): EncoderRecipe => ({
  name,
  codec,
  device: "qsv",
  deviceOptions: [],
  uploadFilters: ["format=nv12"],
  options: (video) => [
    ["-preset", "medium"],
    ...rate(video),
    ...(codec === "h264" ? h264Profile(video) : []),
  ],
});

const vaapi = (name: string, codec: VideoCodec): EncoderRecipe => ({
  name,
  codec,
  device: "vaapi",
  deviceOptions: ["-vaapi_device", "/dev/dri/renderD128"],
  uploadFilters: ["format=nv12", "hwupload"],
  options: (video) => [...rate(video), ...(codec === "h264" ? h264Profile(video) : [])],
});

const videotoolbox = (name: string, codec: VideoCodec): EncoderRecipe => ({
  name,
  codec,
  device: "videotoolbox",
  deviceOptions: [],
  uploadFilters: [],
  options: (video) => [
    ["-allow_sw", "0"],
    ["-b:v", `${video.bitrateKbps}k`],
    ...(codec === "h264" ? h264Profile(video) : []),
  ],
});

const amf = (name: string, codec: VideoCodec): EncoderRecipe => ({
  name,
  codec,
  device: "d3d11va",
  deviceOptions: [],
  uploadFilters: [],
  options: (video) => [["-quality", "balanced"], ["-rc", "vbr_peak"], ...rate(video)],
});

const software: readonly EncoderRecipe[] = [
  {
    name: "libx264",
    codec: "h264",
    device: null,
    deviceOptions: [],
    uploadFilters: [],
    options: (video) => [
      ["-preset", video.preset],
      ...h264Profile(video),
      ...(video.level ? ([["-level:v", video.level]] as const) : []),
      ...rate(video),
    ],
  },
  {
    name: "libx265",
    codec: "hevc",
    device: null,
    deviceOptions: [],
    uploadFilters: [],
    // hvc1 so Apple players accept the mp4; x265 is chatty on stderr, which would bury the real error.
    options: (video) => [
      ["-preset", video.preset],
      ...rate(video),
      ["-tag:v", "hvc1"],
      ["-x265-params", "log-level=error"],
    ],
  },
  {
    name: "libsvtav1",
    codec: "av1",
    device: null,
    deviceOptions: [],
    uploadFilters: [],
    options: (video) => [
      ["-preset", video.preset],
      ["-b:v", `${video.bitrateKbps}k`],
    ],
  },
  {
    name: "libaom-av1",
    codec: "av1",
    device: null,
    deviceOptions: [],
    uploadFilters: [],
    // The profile's preset is SVT-AV1's (0–13); libaom's speed scale is cpu-used 0–8.
    options: (video) => [["-cpu-used", String(aomCpuUsed(video.preset))], ["-row-mt", "1"], ...rate(video)],
  },
];

function aomCpuUsed(svtPreset: string): number {
  const preset = Number(svtPreset);
  return Number.isInteger(preset) ? Math.min(8, Math.max(0, Math.round((preset * 8) / 13))) : 6;
}

/** Hardware first, in order of preference when several are proven for one codec; software last. */
export const encoderRecipes: readonly EncoderRecipe[] = [
  nvenc("h264_nvenc", "h264"),
  nvenc("hevc_nvenc", "hevc"),
  nvenc("av1_nvenc", "av1"),
  qsv("h264_qsv", "h264"),
  qsv("hevc_qsv", "hevc"),
  qsv("av1_qsv", "av1"),
  vaapi("h264_vaapi", "h264"),
  vaapi("hevc_vaapi", "hevc"),
  vaapi("av1_vaapi", "av1"),
  videotoolbox("h264_videotoolbox", "h264"),
  videotoolbox("hevc_videotoolbox", "hevc"),
  amf("h264_amf", "h264"),
  amf("hevc_amf", "hevc"),
  amf("av1_amf", "av1"),
  ...software,
];
