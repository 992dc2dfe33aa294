import { describe, expect, it } from "vitest";
import { rfc6381Codec } from "./rfc6381Codec.ts";

const bytes = (...values: number[]) => Uint8Array.from(values);

function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const size = 8 + payload.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  out.set(new TextEncoder().encode(type), 4);
  let at = 8;
  for (const p of payload) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An init segment as ffmpeg writes one: ftyp, then moov/trak/mdia/minf/stbl/stsd with one sample entry. */
const init = (entry: Uint8Array) =>
  Uint8Array.from([
    ...box("ftyp", new TextEncoder().encode("iso5\0\0\x02\0iso6mp41")),
    ...box(
      "moov",
      box("mvhd", new Uint8Array(100)),
      box(
        "trak",
        box("tkhd", new Uint8Array(84)),
        box(
          "mdia",
          box("mdhd", new Uint8Array(24)),
          box("minf", box("stbl", box("stsd", bytes(0, 0, 0, 0, 0, 0, 0, 1), entry))),
        ),
      ),
    ),
  ]);
const visual = (type: string, config: Uint8Array) =>
  box(type, new Uint8Array(78), config, box("pasp", new Uint8Array(8)));
const audio = (type: string, ...config: Uint8Array[]) => box(type, new Uint8Array(28), ...config);

/** esds with an AudioSpecificConfig whose first byte is `asc0`. */
const esds = (objectType: number, asc0: number) =>
  box(
    "esds",
    bytes(
      0,
      0,
      0,
      0,
      0x03,
      25,
      0,
      1,
      0,
      0x04,
      17,
      objectType,
      0x15,
      0,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      1,
      0,
      0,
      0x05,
      2,
      asc0,
      0x90,
      0x06,
      1,
      2,
    ),
  );

describe("rfc6381Codec", () => {
  it("reads H.264's profile, constraint flags and level from avcC", () => {
    expect(rfc6381Codec(init(visual("avc1", box("avcC", bytes(1, 0x64, 0x00, 0x1e, 0xff, 0xe1)))))).toBe(
      "avc1.64001e",
    );
    expect(rfc6381Codec(init(visual("avc3", box("avcC", bytes(1, 0x42, 0xc0, 0x0d, 0xff)))))).toBe(
      "avc3.42c00d",
    );
  });

  it("reads HEVC's profile space, reversed compatibility flags, tier, level and constraint bytes from hvcC", () => {
    const main = bytes(1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 93, 0xf0);
    expect(rfc6381Codec(init(visual("hvc1", box("hvcC", main))))).toBe("hvc1.1.6.L93.90");
    const main10High = bytes(1, 0x22, 0x20, 0, 0, 0, 0xb0, 0, 0, 0, 0, 0, 120, 0xf0);
    expect(rfc6381Codec(init(visual("hev1", box("hvcC", main10High))))).toBe("hev1.2.4.H120.B0");
  });

  it("reads AV1's profile, level, tier and bit depth from av1C, and VP9's from vpcC", () => {
    expect(rfc6381Codec(init(visual("av01", box("av1C", bytes(0x81, 0x08, 0x40, 0)))))).toBe("av01.0.08M.10");
    expect(rfc6381Codec(init(visual("av01", box("av1C", bytes(0x81, 0x2d, 0x80, 0)))))).toBe("av01.1.13H.08");
    expect(rfc6381Codec(init(visual("vp09", box("vpcC", bytes(1, 0, 0, 0, 0, 31, 0x80, 2, 2, 2)))))).toBe(
      "vp09.00.31.08",
    );
  });

  it("reads AAC's object type from esds, and names Opus, FLAC and AC-3 as browsers expect", () => {
    expect(rfc6381Codec(init(audio("mp4a", esds(0x40, 0x11))))).toBe("mp4a.40.2");
    expect(rfc6381Codec(init(audio("mp4a", esds(0x40, 0x2b))))).toBe("mp4a.40.5");
    expect(rfc6381Codec(init(audio("mp4a", esds(0x6b, 0x00))))).toBe("mp4a.6b");
    expect(rfc6381Codec(init(audio("Opus", box("dOps", new Uint8Array(11)))))).toBe("opus");
    expect(rfc6381Codec(init(audio("fLaC")))).toBe("flac");
    expect(rfc6381Codec(init(audio("ac-3")))).toBe("ac-3");
  });

  it("gives null for a codec it does not know, a missing configuration box and bytes that are not an init segment", () => {
    expect(rfc6381Codec(init(visual("mp4v", box("esds", new Uint8Array(4)))))).toBeNull();
    expect(rfc6381Codec(init(visual("avc1", box("colr", new Uint8Array(4)))))).toBeNull();
    expect(rfc6381Codec(new TextEncoder().encode("not an mp4 at all"))).toBeNull();
    expect(rfc6381Codec(init(visual("avc1", box("avcC", bytes(1, 0x64)))))).toBeNull();
  });
});
