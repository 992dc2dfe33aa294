// The concat demuxer's list of chunk files. Only absolute paths we made go in (the stitch runs with
// `-safe 0`, which would otherwise let a list name any file); each is quoted, with quotes escaped as
// the demuxer's own syntax wants ('\''), so no file name can add a directive of its own.
import { isAbsolute } from "node:path";

export function concatList(paths: readonly string[]): string {
  if (paths.length === 0) throw new RangeError("a stitch needs at least one chunk");
  return paths
    .map((path) => {
      if (!isAbsolute(path)) throw new RangeError(`chunk path must be absolute: ${path}`);
      // A line break would end the directive; no path we make has one, and no such path goes in.
      if (/[\r\n\0]/.test(path))
        throw new RangeError(`chunk path holds a line break: ${JSON.stringify(path)}`);
      return `file '${path.replaceAll("'", "'\\''")}'\n`;
    })
    .join("");
}
