import { describe, expect, it } from "vitest";
import { SRT_CMD_SID, srtConclusionStreamId } from "./srtConclusion.ts";

/** A conclusion handshake as a caller sends it. */
function srtConclusionPacket(streamId: string | null): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt16BE(0x8000, 0);
  const cif = Buffer.alloc(48);
  cif.writeUInt32BE(5, 0);
  cif.writeUInt32BE(0xffffffff, 20);
  if (streamId === null) return Buffer.concat([header, cif]);
  const raw = Buffer.from(streamId, "utf8");
  const padded = Buffer.alloc(Math.ceil(raw.length / 4) * 4);
  raw.copy(padded);
  const swapped = Buffer.from(padded);
  for (let word = 0; word < padded.length; word += 4) {
    for (let i = 0; i < 4; i += 1) swapped[word + i] = padded[word + 3 - i] ?? 0;
  }
  const extension = Buffer.alloc(4);
  extension.writeUInt16BE(SRT_CMD_SID, 0);
  extension.writeUInt16BE(padded.length / 4, 2);
  return Buffer.concat([header, cif, extension, swapped]);
}

describe("srtConclusionStreamId", () => {
  it("reads the stream id of a conclusion handshake, whatever its length", () => {
    expect(srtConclusionStreamId(srtConclusionPacket("live_3f9c2b7e5d1a4c8b9e0f"))).toBe(
      "live_3f9c2b7e5d1a4c8b9e0f",
    );
    expect(srtConclusionStreamId(srtConclusionPacket("abcd"))).toBe("abcd");
    expect(srtConclusionStreamId(srtConclusionPacket("a"))).toBe("a");
  });

  it("gives an empty id for a conclusion without one, and null for any other packet", () => {
    expect(srtConclusionStreamId(srtConclusionPacket(null))).toBe("");
    const induction = srtConclusionPacket("key");
    induction.writeUInt32BE(1, 16 + 20);
    expect(srtConclusionStreamId(induction)).toBeNull();
    const data = Buffer.alloc(100);
    expect(srtConclusionStreamId(data)).toBeNull();
  });
});
