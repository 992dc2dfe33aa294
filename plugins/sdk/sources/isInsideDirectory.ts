import { isAbsolute, relative, sep } from "node:path";

/** Whether `target` lies strictly below `directory`; both must already be real paths. */
export const isInsideDirectory = (directory: string, target: string): boolean => {
  const rel = relative(directory, target);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
};
