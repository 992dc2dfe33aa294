// File systems that fail as real disks do, for storage-fs's atomic writes: one operation rejects with a
// Node system error (code, errno, syscall, path), or the bytes go to /dev/full, whose every write the
// kernel refuses.
import { open } from "node:fs/promises";
import { constants } from "node:os";
import { type AtomicFileSystem, nodeAtomicFileSystem } from "../../plugins/storage-fs/index.ts";

export type FileOperation = "create" | "write" | "sync" | "close" | "rename";

const errnos: Record<string, number> = constants.errno;

/** An error shaped exactly like the one Node gives for a failed system call. */
export const systemError = (code: string, syscall: string, path: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: injected fault, ${syscall} '${path}'`), {
    errno: -(errnos[code] ?? 0),
    code,
    syscall,
    path,
  });

/**
 * The real file system, except that `operation` fails with `code`. A failing write fails on the second
 * write, so that part of the file is on disk when it does.
 */
export function failingAtomicFileSystem(operation: FileOperation, code: string): AtomicFileSystem {
  const syscall = { create: "open", write: "write", sync: "fsync", close: "close", rename: "rename" }[
    operation
  ];
  return {
    async create(path, mode) {
      if (operation === "create") throw systemError(code, syscall, path);
      const file = await nodeAtomicFileSystem.create(path, mode);
      let writes = 0;
      return {
        async write(chunks) {
          if (operation === "write" && ++writes > 1) throw systemError(code, syscall, path);
          await file.write(chunks);
        },
        async sync() {
          await file.sync();
          if (operation === "sync") throw systemError(code, syscall, path);
        },
        async close() {
          await file.close();
          if (operation === "close") throw systemError(code, syscall, path);
        },
      };
    },
    async rename(from, to) {
      if (operation === "rename") throw systemError(code, syscall, from);
      await nodeAtomicFileSystem.rename(from, to);
    },
  };
}

/** Creates the real file, but writes to /dev/full: the kernel itself answers ENOSPC. */
export const devFullAtomicFileSystem: AtomicFileSystem = {
  async create(path, mode) {
    const file = await nodeAtomicFileSystem.create(path, mode);
    const full = await open("/dev/full", "w");
    return {
      async write(chunks) {
        await full.writev(chunks);
      },
      sync: () => file.sync(),
      async close() {
        await full.close();
        await file.close();
      },
    };
  },
  rename: nodeAtomicFileSystem.rename,
};
