import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type EncoderSelection,
  type GpuVendor,
  type ProvenEncoder,
  selectEncoder,
  type VideoCodec,
} from "./selectEncoder.ts";

const hw = (name: string, codec: VideoCodec): ProvenEncoder => ({ name, codec, hardware: true });
const sw = (name: string, codec: VideoCodec): ProvenEncoder => ({ name, codec, hardware: false });

const software = [
  sw("libx264", "h264"),
  sw("libx265", "hevc"),
  sw("libsvtav1", "av1"),
  sw("libaom-av1", "av1"),
];
/** Every hardware encoder of the matrix, as a worker that proved them all would list them. */
const allHardware = [
  ...["nvenc", "amf", "qsv", "vaapi"].flatMap((family) => [
    hw(`h264_${family}`, "h264"),
    hw(`hevc_${family}`, "hevc"),
    hw(`av1_${family}`, "av1"),
  ]),
  hw("h264_videotoolbox", "h264"),
  hw("hevc_videotoolbox", "hevc"),
];

const names = (selection: EncoderSelection) => {
  const choice = selectEncoder(selection);
  return choice._tag === "EncoderChoice" ? choice.encoders.map((e) => e.name) : choice._tag;
};

const preferring = (
  codec: VideoCodec,
  proven: readonly ProvenEncoder[],
  gpuVendors: readonly GpuVendor[] = [],
): EncoderSelection => ({ codec, proven, gpuVendors, preferGpu: true, profileHardware: "off" });

describe("selectEncoder", () => {
  // The spec's matrix, one row per GPU vendor, with each vendor's own encoder proven beside the others.
  it.each([
    ["nvidia", "h264", "h264_nvenc", ["libx264"]],
    ["nvidia", "hevc", "hevc_nvenc", ["libx265"]],
    ["nvidia", "av1", "av1_nvenc", ["libsvtav1", "libaom-av1"]],
    ["amd", "h264", "h264_amf", ["libx264"]],
    ["amd", "hevc", "hevc_amf", ["libx265"]],
    ["amd", "av1", "av1_amf", ["libsvtav1", "libaom-av1"]],
    ["intel", "h264", "h264_qsv", ["libx264"]],
    ["intel", "hevc", "hevc_qsv", ["libx265"]],
    ["intel", "av1", "av1_qsv", ["libsvtav1", "libaom-av1"]],
    ["apple", "h264", "h264_videotoolbox", ["libx264"]],
    ["apple", "hevc", "hevc_videotoolbox", ["libx265"]],
  ] as const)("%s GPU, %s: %s first, then %j", (vendor, codec, first, fallback) => {
    expect(names(preferring(codec, [...software, ...allHardware], [vendor]))).toEqual([first, ...fallback]);
  });

  it("without a GPU (the matrix's None row) encodes in software: libx264, libx265, libsvtav1 then libaom-av1", () => {
    for (const [codec, expected] of [
      ["h264", ["libx264"]],
      ["hevc", ["libx265"]],
      ["av1", ["libsvtav1", "libaom-av1"]],
    ] as const) {
      expect(names(preferring(codec, software))).toEqual(expected);
    }
  });

  it("an Apple GPU has no AV1 encoder in the matrix: AV1 goes to software even when others are proven", () => {
    const apple = [...software, hw("h264_videotoolbox", "h264"), hw("hevc_videotoolbox", "hevc")];
    expect(names(preferring("av1", apple, ["apple"]))).toEqual(["libsvtav1", "libaom-av1"]);
  });

  it("uses VAAPI for AMD and Intel GPUs whose own encoder did not pass its test", () => {
    const vaapiOnly = [...software, hw("h264_vaapi", "h264"), hw("hevc_vaapi", "hevc")];
    expect(names(preferring("h264", vaapiOnly, ["amd"]))).toEqual(["h264_vaapi", "libx264"]);
    expect(names(preferring("hevc", vaapiOnly, ["intel"]))).toEqual(["hevc_vaapi", "libx265"]);
  });

  it("never picks an encoder that is only listed by name: h264_nvenc unproven on an NVIDIA machine → libx264", () => {
    expect(names(preferring("h264", software, ["nvidia"]))).toEqual(["libx264"]);
    // proven for another codec is not proven for this one
    expect(names(preferring("h264", [...software, hw("hevc_nvenc", "hevc")], ["nvidia"]))).toEqual([
      "libx264",
    ]);
  });

  it("puts the encoder of a GPU it found before other proven hardware, and uses proven hardware of a GPU it could not name", () => {
    const nvencAndQsv = [...software, hw("h264_nvenc", "h264"), hw("h264_qsv", "h264")];
    expect(names(preferring("h264", nvencAndQsv, ["intel"]))).toEqual(["h264_qsv", "libx264"]);
    expect(names(preferring("h264", nvencAndQsv, ["nvidia"]))).toEqual(["h264_nvenc", "libx264"]);
    // only NVIDIA GPUs are detected by vendor; a proven QSV on an unnamed Intel GPU still serves
    expect(names(preferring("h264", [...software, hw("h264_qsv", "h264")], []))).toEqual([
      "h264_qsv",
      "libx264",
    ]);
  });

  it("follows prefer_gpu over the profile, and the profile's hardware mode when prefer_gpu is absent", () => {
    const proven = [...software, hw("h264_nvenc", "h264")];
    const base = { codec: "h264", proven, gpuVendors: ["nvidia"] } as const;
    expect(names({ ...base, preferGpu: true, profileHardware: "off" })).toEqual(["h264_nvenc", "libx264"]);
    expect(names({ ...base, preferGpu: false, profileHardware: "auto" })).toEqual(["libx264"]);
    expect(names({ ...base, profileHardware: "auto" })).toEqual(["h264_nvenc", "libx264"]);
    expect(names({ ...base, profileHardware: "off" })).toEqual(["libx264"]);
    expect(selectEncoder({ ...base, preferGpu: true, profileHardware: "off" })).toMatchObject({
      hardwareWanted: true,
    });
    expect(selectEncoder({ ...base, profileHardware: "off" })).toMatchObject({ hardwareWanted: false });
  });

  it("keeps a proven GPU encoder without a software fallback when no software encoder passed", () => {
    expect(names(preferring("av1", [hw("av1_nvenc", "av1")], ["nvidia"]))).toEqual(["av1_nvenc"]);
  });

  it("says so, as a value, when nothing proven can encode the codec", () => {
    expect(selectEncoder(preferring("av1", [sw("libx264", "h264")]))).toEqual({
      _tag: "NoProvenEncoder",
      codec: "av1",
      message: "no av1 encoder passed its test encode on this worker",
    });
    // hardware proven but not wanted is not chosen either
    const hardwareOnly = { ...preferring("av1", [hw("av1_nvenc", "av1")]), preferGpu: false };
    expect(selectEncoder(hardwareOnly)._tag).toBe("NoProvenEncoder");
  });

  const codecArb = fc.constantFrom<VideoCodec>("h264", "hevc", "av1");
  const vendorArb = fc.constantFrom<GpuVendor>("nvidia", "amd", "intel", "apple", "other");
  const knownEncoders = [...software, ...allHardware];
  // Names a worker may list, also under a wrong codec or hardware flag, and some no matrix row names.
  const provenArb = fc.array(
    fc.oneof(
      fc.constantFrom(...knownEncoders),
      fc.record({
        name: fc.constantFrom(...knownEncoders.map((e) => e.name), "libvpx-vp9", "h264_v4l2m2m", "mystery"),
        codec: codecArb,
        hardware: fc.boolean(),
      }),
    ),
    { maxLength: 12 },
  );
  const selectionArb = fc.record({
    codec: codecArb,
    proven: provenArb,
    gpuVendors: fc.uniqueArray(vendorArb, { maxLength: 3 }),
    preferGpu: fc.option(fc.boolean(), { nil: undefined }),
    profileHardware: fc.constantFrom("off" as const, "auto" as const),
  });

  it("never returns an unproven encoder, at most one hardware encoder, first, and software after it", () => {
    fc.assert(
      fc.property(selectionArb, (selection) => {
        const choice = selectEncoder(selection);
        const provenForCodec = selection.proven.filter((e) => e.codec === selection.codec);
        if (choice._tag === "NoProvenEncoder") {
          // only when no software (and, when wanted, no hardware) of the matrix was proven for the codec
          const wanted = selection.preferGpu ?? selection.profileHardware === "auto";
          const usable = knownEncoders.filter(
            (known) =>
              known.codec === selection.codec &&
              (wanted || !known.hardware) &&
              provenForCodec.some((p) => p.name === known.name && p.hardware === known.hardware),
          );
          expect(usable).toEqual([]);
          return;
        }
        for (const encoder of choice.encoders) {
          expect(selection.proven).toContainEqual(encoder);
          expect(encoder.codec).toBe(selection.codec);
        }
        const hardware = choice.encoders.filter((e) => e.hardware);
        expect(hardware.length).toBeLessThanOrEqual(1);
        if (hardware.length === 1) {
          expect(choice.encoders[0]?.hardware).toBe(true);
          expect(choice.hardwareWanted).toBe(true);
        }
        expect(choice.encoders.slice(1).every((e) => !e.hardware)).toBe(true);
        // the software fallback holds every proven software encoder of the matrix for the codec
        const softwareProven = software.filter(
          (known) =>
            known.codec === selection.codec &&
            provenForCodec.some((p) => p.name === known.name && !p.hardware),
        );
        expect(choice.encoders.filter((e) => !e.hardware).map((e) => e.name)).toEqual(
          softwareProven.map((e) => e.name),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("chooses hardware whenever it is wanted and the matrix has a proven one for the codec", () => {
    fc.assert(
      fc.property(selectionArb, (selection) => {
        const choice = selectEncoder(selection);
        const wanted = selection.preferGpu ?? selection.profileHardware === "auto";
        const provenHardware = allHardware.some(
          (known) =>
            known.codec === selection.codec &&
            selection.proven.some((p) => p.name === known.name && p.codec === known.codec && p.hardware),
        );
        const first = choice._tag === "EncoderChoice" ? choice.encoders[0] : undefined;
        expect(first?.hardware === true).toBe(wanted && provenHardware);
      }),
      { numRuns: 500 },
    );
  });
});
