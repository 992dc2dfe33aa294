// FLV read tag by tag from a byte stream (what `ffmpeg -f flv pipe:1` writes) and written back with a
// new timestamp: enough to fan one input out, start a late destination on a keyframe, and keep times
// monotonic across input restarts.

export const FLV_AUDIO = 8;
export const FLV_VIDEO = 9;
export const FLV_SCRIPT = 18;

export interface FlvTag {
  readonly type: number;
  /** Milliseconds, as the source wrote them. */
  readonly timestamp: number;
  /** The tag body (without the 11-byte header and the trailing size). */
  readonly body: Buffer;
}

/** A video keyframe that is media (not the codec's sequence header). */
export const isKeyframe = (tag: FlvTag) =>
  tag.type === FLV_VIDEO && tag.body.length > 1 && tag.body[0]! >> 4 === 1 && !isSequenceHeader(tag);

/** AVC/HEVC decoder configuration or AAC AudioSpecificConfig: what a decoder needs before any frame. */
export const isSequenceHeader = (tag: FlvTag) =>
  tag.body.length > 1 &&
  ((tag.type === FLV_VIDEO && (tag.body[0]! & 0x0f) === 7 && tag.body[1] === 0) ||
    (tag.type === FLV_AUDIO && tag.body[0]! >> 4 === 10 && tag.body[1] === 0));

/** The file header of an FLV with audio and video, and PreviousTagSize0. */
export const flvHeader = (): Buffer => Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]);

/** One tag as bytes, with the timestamp given (its high byte in the extension field). */
export function encodeFlvTag(tag: FlvTag, timestamp: number): Buffer {
  const out = Buffer.allocUnsafe(11 + tag.body.length + 4);
  const ts = Math.max(0, Math.round(timestamp)) >>> 0;
  out.writeUInt8(tag.type, 0);
  out.writeUIntBE(tag.body.length, 1, 3);
  out.writeUIntBE(ts & 0xffffff, 4, 3);
  out.writeUInt8((ts >>> 24) & 0xff, 7);
  out.writeUIntBE(0, 8, 3);
  tag.body.copy(out, 11);
  out.writeUInt32BE(11 + tag.body.length, 11 + tag.body.length);
  return out;
}

/** Feeds bytes in any chunking; calls `onTag` for each whole tag. Throws on bytes that are not FLV. */
export function createFlvTagReader(onTag: (tag: FlvTag) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let headerRead = false;
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    if (!headerRead) {
      if (pending.length < 13) return;
      if (pending.toString("latin1", 0, 3) !== "FLV") throw new Error("not an FLV stream");
      offset = pending.readUInt32BE(5) + 4;
      headerRead = true;
    }
    while (pending.length - offset >= 11) {
      const size = pending.readUIntBE(offset + 1, 3);
      if (pending.length - offset < 11 + size + 4) break;
      const timestamp = pending.readUIntBE(offset + 4, 3) | (pending.readUInt8(offset + 7) << 24);
      onTag({
        type: pending.readUInt8(offset),
        timestamp: timestamp >>> 0,
        body: Buffer.from(pending.subarray(offset + 11, offset + 11 + size)),
      });
      offset += 11 + size + 4;
    }
    pending = pending.subarray(offset);
  };
}
