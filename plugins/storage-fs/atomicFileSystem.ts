// The file operations an atomic write makes (create, write, fsync, close, rename), behind one seam: tests
// make any of them fail as a failing disk does (EIO at write, ENOSPC at fsync, EMFILE at open).
import { open, rename } from "node:fs/promises";

export interface AtomicFile {
  /** Writes all of `chunks`, in order, without copying them together; a short write is continued, not reported. */
  write(chunks: readonly Uint8Array[]): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface AtomicFileSystem {
  /** Creates `path` for writing; fails if it exists. */
  create(path: string, mode: number): Promise<AtomicFile>;
  rename(from: string, to: string): Promise<void>;
}

/** What is left of `chunks` once their first `bytes` are written. */
const after = (chunks: readonly Uint8Array[], bytes: number): readonly Uint8Array[] => {
  let skipped = bytes;
  let index = 0;
  while (index < chunks.length && skipped >= chunks[index]!.length) skipped -= chunks[index++]!.length;
  if (index === chunks.length) return [];
  return [chunks[index]!.subarray(skipped), ...chunks.slice(index + 1)];
};

export const nodeAtomicFileSystem: AtomicFileSystem = {
  async create(path, mode) {
    const handle = await open(path, "wx", mode);
    return {
      async write(chunks) {
        let rest = chunks;
        while (rest.length > 0) {
          const { bytesWritten } = await handle.writev(rest);
          rest = after(rest, bytesWritten);
        }
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  rename,
};
