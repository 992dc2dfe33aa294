// Writes a small file whole or not at all: a temp file beside it, synced, then given its name (rename,
// or link when an existing file must win), and the directory synced, so a crash leaves no short file.
import { randomUUID } from "node:crypto";
import { link, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

/** False when `exclusive` and the file already exists (then it is left as it is). */
export async function writeWholeFile(
  file: string,
  content: string,
  options: { mode?: number; exclusive?: boolean } = {},
): Promise<boolean> {
  const temp = `${file}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temp, "wx", options.mode ?? 0o600);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await (options.exclusive ? link : rename)(temp, file);
    } catch (error) {
      if (options.exclusive && (error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
    await syncDirectory(dirname(file));
    return true;
  } finally {
    await rm(temp, { force: true });
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
