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
  /**
   * Rate control, preset and keyframes: one every `gop` frames, and with `video.alignedKeyframes`
   * exactly there and nowhere else (no scene-cut keyframes), so renditions and chunks share a grid.
   */
  readonly options: (video: EncodeProfile["video"], gop: number) => (readonly [string, string])[];
}

type Options = (readonly [string, string])[];

// Encoders without a scene-cut switch of their own still get a keyframe on every grid point.
const forcedGrid = (video: EncodeProfile["video"], gop: number): Options => [
  ["-g", String(gop)],
  ...(video.alignedKeyframes ? ([["-force_key_frames", `expr:eq(mod(n,${gop}),0)`]] as const) : []),
];

const rate = (video: EncodeProfile["video"]): Options => [
  ["-b:v", `${video.bitrateKbps}k`],
  ["-maxrate", `${video.maxrateKbps}k`],
  ["-bufsize", `${video.bufsizeKbps}k`],
];

const h264Profile = (video: EncodeProfile["video"]): Options =>
  video.profile ? [["-profile:v", video.profile]] : [];

const nvenc = (name: string, codec: VideoCodec): EncoderRecipe => ({
  name,
  codec,
  device: "cuda",
  deviceOptions: [],
  uploadFilters: [],
  options: (video, gop) => [
    ["-preset", "p4"],
    ["-tune", "hq"],
    ["-rc", "vbr"],
    ...rate(video),
    ...(codec === "h264" ? h264Profile(video) : []),
    ...forcedGrid(video, gop),
    ...(video.alignedKeyframes ? ([["-no-scenecut", "1"]] as const) : []),
  ],
});

const qsv = (name: string, codec: VideoCodec): EncoderRecipe => ({
  name,
  codec,
  device: "qsv",
  deviceOptions: [],
  uploadFilters: ["format=nv12"],
  options: (video, gop) => [
    ["-preset", "medium"],
    ...rate(video),
    ...(codec === "h264" ? h264Profile(video) : []),
    ...forcedGrid(video, gop),
  ],
});

const vaapi = (name: string, codec: VideoCodec): EncoderRecipe => ({
  name,
  codec,
  device: "vaapi",
  deviceOptions: ["-vaapi_device", "/dev/dri/renderD128"],
  uploadFilters: ["format=nv12", "hwupload"],
  options: (video, gop) => [
    ...rate(video),
    ...(codec === "h264" ? h264Profile(video) : []),
    ...forcedGrid(video, gop),
  ],
});

const videotoolbox = (name: string, codec: VideoCodec): EncoderRecipe => ({
  name,
  codec,
  device: "videotoolbox",
  deviceOptions: [],
  uploadFilters: [],
  options: (video, gop) => [
    ["-allow_sw", "0"],
    ["-b:v", `${video.bitrateKbps}k`],
    ...(codec === "h264" ? h264Profile(video) : []),
    ...forcedGrid(video, gop),
  ],
});

const amf = (name: string, codec: VideoCodec): EncoderRecipe => ({
  name,
  codec,
  device: "d3d11va",
  deviceOptions: [],
  uploadFilters: [],
  options: (video, gop) => [
    ["-quality", "balanced"],
    ["-rc", "vbr_peak"],
    ...rate(video),
    ...forcedGrid(video, gop),
  ],
});

const software: readonly EncoderRecipe[] = [
  {
    name: "libx264",
    codec: "h264",
    device: null,
    deviceOptions: [],
    uploadFilters: [],
    options: (video, gop) => [
      ["-preset", video.preset],
      ...h264Profile(video),
      ...(video.level ? ([["-level:v", video.level]] as const) : []),
      ...rate(video),
      ["-g", String(gop)],
      ...(video.alignedKeyframes
        ? ([
            ["-keyint_min", String(gop)],
            ["-sc_threshold", "0"],
          ] as const)
        : []),
    ],
  },
  {
    name: "libx265",
    codec: "hevc",
    device: null,
    deviceOptions: [],
    uploadFilters: [],
    // x265 is chatty on stderr, which would bury the real error; its open GOPs would let leading
    // pictures of a segment reach back into the one before.
    options: (video, gop) => [
      ["-preset", video.preset],
      ...rate(video),
      ["-g", String(gop)],
      [
        "-x265-params",
        video.alignedKeyframes
          ? `log-level=error:keyint=${gop}:min-keyint=${gop}:scenecut=0:open-gop=0`
          : "log-level=error",
      ],
    ],
  },
  {
    name: "libvpx-vp9",
    codec: "vp9",
    device: null,
    deviceOptions: [],
    uploadFilters: [],
    // libvpx places no keyframe of its own when its minimum and maximum distance are equal.
    options: (video, gop) => [
      ...vpxSpeed(video.preset),
      ["-row-mt", "1"],
      ...rate(video),
      ["-g", String(gop)],
      ...(video.alignedKeyframes ? ([["-keyint_min", String(gop)]] as const) : []),
    ],
  },
  {
    name: "libsvtav1",
    codec: "av1",
    device: null,
    deviceOptions: [],
    uploadFilters: [],
    options: (video, gop) => [
      ["-preset", video.preset],
      ["-b:v", `${video.bitrateKbps}k`],
      ["-g", String(gop)],
      ...(video.alignedKeyframes ? ([["-svtav1-params", "scd=0"]] as const) : []),
    ],
  },
  {
    name: "libaom-av1",
    codec: "av1",
    device: null,
    deviceOptions: [],
    uploadFilters: [],
    // The profile's preset is SVT-AV1's (0–13); libaom's speed scale is cpu-used 0–8.
    options: (video, gop) => [
      ["-cpu-used", String(aomCpuUsed(video.preset))],
      ["-row-mt", "1"],
      ...rate(video),
      ["-g", String(gop)],
      ...(video.alignedKeyframes ? ([["-keyint_min", String(gop)]] as const) : []),
    ],
  },
];

// x264's preset names on libvpx's speed scale (cpu-used 0 slowest … 8 fastest).
const vpxSpeeds: Readonly<Record<string, number>> = {
  ultrafast: 8,
  superfast: 7,
  veryfast: 6,
  faster: 5,
  fast: 4,
  medium: 3,
  slow: 2,
  slower: 1,
  veryslow: 0,
};

/** libvpx's "good" or "realtime" deadline, a cpu-used number (0–8) or an x264 preset name. */
function vpxSpeed(preset: string): Options {
  if (preset === "realtime")
    return [
      ["-deadline", "realtime"],
      ["-cpu-used", "8"],
    ];
  const number = Number(preset);
  const speed = Number.isInteger(number) ? Math.min(8, Math.max(0, number)) : (vpxSpeeds[preset] ?? 4);
  return [
    ["-deadline", "good"],
    ["-cpu-used", String(speed)],
  ];
}

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
  qsv("vp9_qsv", "vp9"),
  qsv("av1_qsv", "av1"),
  vaapi("h264_vaapi", "h264"),
  vaapi("hevc_vaapi", "hevc"),
  vaapi("vp9_vaapi", "vp9"),
  vaapi("av1_vaapi", "av1"),
  videotoolbox("h264_videotoolbox", "h264"),
  videotoolbox("hevc_videotoolbox", "hevc"),
  amf("h264_amf", "h264"),
  amf("hevc_amf", "hevc"),
  amf("av1_amf", "av1"),
  ...software,
];
