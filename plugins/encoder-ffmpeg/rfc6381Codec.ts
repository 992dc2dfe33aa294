// The RFC 6381 codecs string of a CMAF track ("avc1.64001e", "hvc1.1.6.L93.B0", "av01.0.04M.08",
// "vp09.00.21.08", "mp4a.40.2", "opus"), read from the decoder configuration in its init segment:
// the bytes players check against, not a guess from ffprobe's profile name.

/** null when the init segment holds no sample entry this knows. */
export function rfc6381Codec(init: Uint8Array): string | null {
  const stsd = findBox(init, ["moov", "trak", "mdia", "minf", "stbl", "stsd"]);
  // A full box: version, flags and the entry count come before the first sample entry.
  const entry = stsd === null ? null : readBox(init, stsd.start + 8, stsd.end);
  if (entry === null) return null;
  const kind = entry.type;
  const childrenFrom = (fieldBytes: number) => entry.start + fieldBytes;
  switch (kind) {
    case "avc1":
    case "avc3": {
      const avcC = childBox(init, childrenFrom(VISUAL_ENTRY_BYTES), entry.end, "avcC");
      return avcC === null ? null : avcCodec(kind, init.subarray(avcC.start, avcC.end));
    }
    case "hvc1":
    case "hev1": {
      const hvcC = childBox(init, childrenFrom(VISUAL_ENTRY_BYTES), entry.end, "hvcC");
      return hvcC === null ? null : hevcCodec(kind, init.subarray(hvcC.start, hvcC.end));
    }
    case "av01": {
      const av1C = childBox(init, childrenFrom(VISUAL_ENTRY_BYTES), entry.end, "av1C");
      return av1C === null ? null : av1Codec(init.subarray(av1C.start, av1C.end));
    }
    case "vp09": {
      const vpcC = childBox(init, childrenFrom(VISUAL_ENTRY_BYTES), entry.end, "vpcC");
      return vpcC === null ? null : vp9Codec(init.subarray(vpcC.start, vpcC.end));
    }
    case "mp4a": {
      const esds = childBox(init, childrenFrom(AUDIO_ENTRY_BYTES), entry.end, "esds");
      return esds === null ? "mp4a.40.2" : aacCodec(init.subarray(esds.start, esds.end));
    }
    case "Opus":
      return "opus";
    case "fLaC":
      return "flac";
    case "ac-3":
    case "ec-3":
      return kind;
    default:
      return null;
  }
}

// After the sample entry's header: reserved and data reference index (8), then the visual (70) or
// audio (20, version 0 as mp4 writes it) fields; the codec's configuration box follows.
const VISUAL_ENTRY_BYTES = 8 + 70;
const AUDIO_ENTRY_BYTES = 8 + 20;

interface Box {
  readonly type: string;
  /** Where the payload starts (after the header) and where the box ends. */
  readonly start: number;
  readonly end: number;
}

function readBox(bytes: Uint8Array, at: number, limit: number): Box | null {
  if (at + 8 > limit) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let size = view.getUint32(at);
  let header = 8;
  if (size === 1) {
    if (at + 16 > limit) return null;
    size = Number(view.getBigUint64(at + 8));
    header = 16;
  } else if (size === 0) size = limit - at;
  if (size < header || at + size > limit) return null;
  const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
  return { type, start: at + header, end: at + size };
}

function childBox(bytes: Uint8Array, from: number, to: number, type: string): Box | null {
  for (let at = from; at < to; ) {
    const box = readBox(bytes, at, to);
    if (box === null) return null;
    if (box.type === type) return box;
    at = box.end;
  }
  return null;
}

function findBox(bytes: Uint8Array, path: readonly string[]): Box | null {
  let scope: Box = { type: "", start: 0, end: bytes.byteLength };
  for (const type of path) {
    const next = childBox(bytes, scope.start, scope.end, type);
    if (next === null) return null;
    scope = next;
  }
  return scope;
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");

/** avcC: configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication. */
function avcCodec(kind: string, avcC: Uint8Array): string | null {
  if (avcC.length < 4) return null;
  return `${kind}.${hex2(avcC[1]!)}${hex2(avcC[2]!)}${hex2(avcC[3]!)}`;
}

/** ISO/IEC 14496-15 annex E: profile space+idc, reversed compatibility flags, tier+level, constraint bytes. */
function hevcCodec(kind: string, hvcC: Uint8Array): string | null {
  if (hvcC.length < 13) return null;
  const space = ["", "A", "B", "C"][hvcC[1]! >> 6];
  const tier = (hvcC[1]! >> 5) & 1 ? "H" : "L";
  const profileIdc = hvcC[1]! & 0x1f;
  const compatibility = new DataView(hvcC.buffer, hvcC.byteOffset + 2, 4).getUint32(0);
  let reversed = 0;
  for (let bit = 0; bit < 32; bit++) reversed = (reversed << 1) | ((compatibility >>> bit) & 1);
  const constraints = Array.from(hvcC.subarray(6, 12));
  while (constraints.length > 0 && constraints.at(-1) === 0) constraints.pop();
  return [
    kind,
    `${space}${profileIdc}`,
    (reversed >>> 0).toString(16),
    `${tier}${hvcC[12]!}`,
    ...constraints.map((b) => b.toString(16).toUpperCase()),
  ].join(".");
}

/** AV1 codec ISO media file format binding: av01.P.LLT.DD from av1C's sequence header fields. */
function av1Codec(av1C: Uint8Array): string | null {
  if (av1C.length < 3) return null;
  const profile = av1C[1]! >> 5;
  const level = av1C[1]! & 0x1f;
  const tier = av1C[2]! >> 7 ? "H" : "M";
  const highBitdepth = (av1C[2]! >> 6) & 1;
  const twelveBit = (av1C[2]! >> 5) & 1;
  const bitDepth = highBitdepth ? (twelveBit ? 12 : 10) : 8;
  return `av01.${profile}.${String(level).padStart(2, "0")}${tier}.${String(bitDepth).padStart(2, "0")}`;
}

/** VP codec ISO media file format binding: vpcC (a full box) holds profile, level and bit depth. */
function vp9Codec(vpcC: Uint8Array): string | null {
  if (vpcC.length < 7) return null;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `vp09.${pad(vpcC[4]!)}.${pad(vpcC[5]!)}.${pad(vpcC[6]! >> 4)}`;
}

/** esds: ES_Descriptor → DecoderConfigDescriptor (object type) → DecoderSpecificInfo (audio object type). */
function aacCodec(esds: Uint8Array): string {
  let at = 4; // full box version and flags
  const descriptor = (): { tag: number; end: number } | null => {
    if (at >= esds.length) return null;
    const tag = esds[at++]!;
    let size = 0;
    for (let i = 0; i < 4 && at < esds.length; i++) {
      const b = esds[at++]!;
      size = (size << 7) | (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    return { tag, end: at + size };
  };
  const es = descriptor();
  if (es?.tag !== 0x03) return "mp4a.40.2";
  const flags = esds[at + 2] ?? 0;
  at += 3; // ES_ID and flags
  if (flags & 0x80) at += 2; // dependsOn_ES_ID
  if (flags & 0x40) at += 1 + (esds[at] ?? 0); // URL
  if (flags & 0x20) at += 2; // OCR_ES_Id
  const config = descriptor();
  if (config?.tag !== 0x04) return "mp4a.40.2";
  const objectType = esds[at] ?? 0x40;
  at += 13;
  const specific = descriptor();
  if (objectType !== 0x40 || specific?.tag !== 0x05) return `mp4a.${hex2(objectType)}`;
  let audioObjectType = (esds[at] ?? 0x10) >> 3;
  if (audioObjectType === 31)
    audioObjectType = 32 + ((((esds[at] ?? 0) & 0x07) << 3) | ((esds[at + 1] ?? 0) >> 5));
  return `mp4a.40.${audioObjectType}`;
}
