// The buffers a multipart upload fills with its parts. They are kept and handed out again, so that a
// long upload reuses a few part-sized buffers instead of leaving one behind for the collector per part.

export interface PartBuffers {
  /** A buffer of the part size; its bytes are whatever the last part left, to be overwritten. */
  take(): Buffer;
  /** Gives a buffer back once no request reads it any more. */
  give(buffer: Buffer): void;
}

/** Keeps at most `keep` free buffers of `partSize` bytes between uploads. */
export const createPartBuffers = (partSize: number, keep: number): PartBuffers => {
  const free: Buffer[] = [];
  return {
    take: () => free.pop() ?? Buffer.allocUnsafe(partSize),
    give(buffer) {
      if (free.length < keep && buffer.length === partSize) free.push(buffer);
    },
  };
};
