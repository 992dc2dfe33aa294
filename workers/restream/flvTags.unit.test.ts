import { describe, expect, it } from "vitest";
import {
  createFlvTagReader,
  encodeFlvTag,
  FLV_AUDIO,
  FLV_VIDEO,
  type FlvTag,
  flvHeader,
  isKeyframe,
  isSequenceHeader,
} from "./flvTags.ts";

const tags: FlvTag[] = [
  { type: FLV_VIDEO, timestamp: 0, body: Buffer.from([0x17, 0, 0, 0, 0, 1, 2]) }, // AVC sequence header
  { type: FLV_AUDIO, timestamp: 0, body: Buffer.from([0xaf, 0, 0x12, 0x10]) }, // AAC sequence header
  { type: FLV_VIDEO, timestamp: 40, body: Buffer.from([0x17, 1, 0, 0, 0, 9, 9, 9]) }, // keyframe
  { type: FLV_VIDEO, timestamp: 0x1_00_00_00 + 80, body: Buffer.from([0x27, 1, 0, 0, 0, 8]) }, // inter, past 24 bits
];

describe("FLV tags", () => {
  it("reads back what it writes, however the bytes are cut, timestamps past 24 bits included", () => {
    const bytes = Buffer.concat([flvHeader(), ...tags.map((tag) => encodeFlvTag(tag, tag.timestamp))]);
    for (const cut of [1, 7, 13, 64]) {
      const read: FlvTag[] = [];
      const feed = createFlvTagReader((tag) => read.push(tag));
      for (let at = 0; at < bytes.length; at += cut) feed(bytes.subarray(at, at + cut));
      expect(read).toEqual(tags);
    }
  });

  it("tells sequence headers from keyframes", () => {
    expect(tags.map(isSequenceHeader)).toEqual([true, true, false, false]);
    expect(tags.map(isKeyframe)).toEqual([false, false, true, false]);
  });

  it("refuses bytes that are not FLV", () => {
    const feed = createFlvTagReader(() => {});
    expect(() => feed(Buffer.from("GIF89a-not-a-video-stream"))).toThrow("not an FLV stream");
  });
});
