import type { Stats } from "node:fs";

/** A validator that changes whenever a file is rewritten: its inode, size and modification time. */
export const etagOf = (info: Stats): string =>
  `"${info.ino.toString(16)}-${info.size.toString(16)}-${Math.round(info.mtimeMs * 1000).toString(16)}"`;
