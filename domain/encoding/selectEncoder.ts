// The spec's encoder selection matrix as a policy: which of a worker's proven encoders a task uses for
// a codec, hardware first when it is wanted and proven, and the software encoders to fall back to.
import type { WorkerCapabilities } from "../../schemas/events/workerEvents.ts";

export type ProvenEncoder = WorkerCapabilities["encoders"][number];
export type VideoCodec = ProvenEncoder["codec"];
export type GpuVendor = NonNullable<WorkerCapabilities["gpus"]>[number]["vendor"];

export interface EncoderSelection {
  readonly codec: VideoCodec;
  /** What the worker proved with a test encode; nothing else is ever chosen. */
  readonly proven: readonly ProvenEncoder[];
  /** Vendors of the GPUs the worker found; their own encoders go before other proven hardware. */
  readonly gpuVendors: readonly GpuVendor[];
  /** The job's `prefer_gpu`; when absent the profile's `hardware` decides. */
  readonly preferGpu?: boolean | undefined;
  readonly profileHardware: "off" | "auto";
}

export interface EncoderChoice {
  readonly _tag: "EncoderChoice";
  /** In order: the first is used; the software encoders after it are the run-time fallback. */
  readonly encoders: readonly ProvenEncoder[];
  /** Hardware was asked for (by the job or the profile), whether or not the worker has any. */
  readonly hardwareWanted: boolean;
}

export interface NoProvenEncoder {
  readonly _tag: "NoProvenEncoder";
  readonly codec: VideoCodec;
  readonly message: string;
}

interface HardwareFamily {
  readonly vendors: readonly GpuVendor[];
  readonly encoders: Readonly<Partial<Record<VideoCodec, string>>>;
}

/** The matrix's rows, in the order they are tried; VAAPI drives AMD and Intel GPUs alike on Linux. */
const hardwareFamilies: readonly HardwareFamily[] = [
  { vendors: ["nvidia"], encoders: { h264: "h264_nvenc", hevc: "hevc_nvenc", av1: "av1_nvenc" } },
  { vendors: ["amd"], encoders: { h264: "h264_amf", hevc: "hevc_amf", av1: "av1_amf" } },
  { vendors: ["intel"], encoders: { h264: "h264_qsv", hevc: "hevc_qsv", vp9: "vp9_qsv", av1: "av1_qsv" } },
  {
    vendors: ["amd", "intel"],
    encoders: { h264: "h264_vaapi", hevc: "hevc_vaapi", vp9: "vp9_vaapi", av1: "av1_vaapi" },
  },
  { vendors: ["apple"], encoders: { h264: "h264_videotoolbox", hevc: "hevc_videotoolbox" } },
];

/** The matrix's "None" row: SVT-AV1 before libaom, which is far slower at the same quality. */
const softwareEncoders: Readonly<Record<VideoCodec, readonly string[]>> = {
  h264: ["libx264"],
  hevc: ["libx265"],
  vp9: ["libvpx-vp9"],
  av1: ["libsvtav1", "libaom-av1"],
};

export function selectEncoder(selection: EncoderSelection): EncoderChoice | NoProvenEncoder {
  const { codec, proven } = selection;
  const hardwareWanted = selection.preferGpu ?? selection.profileHardware === "auto";
  const provenAs = (name: string, hardware: boolean) =>
    proven.find((e) => e.name === name && e.codec === codec && e.hardware === hardware);

  // A GPU the worker named goes first; a proven encoder of a GPU it could not name (only NVIDIA's are
  // detected by vendor) still works, so it follows in the matrix's order.
  const named = (family: HardwareFamily) => family.vendors.some((v) => selection.gpuVendors.includes(v));
  const families = [...hardwareFamilies.filter(named), ...hardwareFamilies.filter((f) => !named(f))];
  const hardware = hardwareWanted
    ? families.flatMap((family) => {
        const name = family.encoders[codec];
        return name === undefined ? [] : (provenAs(name, true) ?? []);
      })[0]
    : undefined;
  const software = softwareEncoders[codec].flatMap((name) => provenAs(name, false) ?? []);

  const encoders = hardware === undefined ? software : [hardware, ...software];
  if (encoders.length === 0) {
    return {
      _tag: "NoProvenEncoder",
      codec,
      message: `no ${codec} encoder passed its test encode on this worker${hardwareWanted ? "" : " in software (hardware was not asked for)"}`,
    };
  }
  return { _tag: "EncoderChoice", encoders, hardwareWanted };
}
