// The file operations an atomic write makes (create, write, fsync, close, rename), behind one seam: tests
// make any of them fail as a failing disk does (EIO at write, ENOSPC at fsync, EMFILE at open).
import { open, rename } from "node:fs/promises";

export interface AtomicFile {
  /** Writes all of `data`; a short write is continued, not reported. */
  write(data: Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface AtomicFileSystem {
  /** Creates `path` for writing; fails if it exists. */
  create(path: string, mode: number): Promise<AtomicFile>;
  rename(from: string, to: string): Promise<void>;
}

export const nodeAtomicFileSystem: AtomicFileSystem = {
  async create(path, mode) {
    const handle = await open(path, "wx", mode);
    return {
      async write(data) {
        for (let offset = 0; offset < data.length; ) {
          offset += (await handle.write(data, offset)).bytesWritten;
        }
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  rename,
};
