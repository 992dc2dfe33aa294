// The stream key in an SRT caller's stream id. OBS and ffmpeg users send the bare key; others follow
// MediaMTX (`publish:live/KEY`) or SRT's access-control syntax (`#!::r=live/KEY,m=publish`).

export function srtStreamKey(streamId: string): string {
  const accessControl = /^#!::(.*)$/.exec(streamId);
  if (accessControl) {
    const resource = accessControl[1]!
      .split(",")
      .map((pair) => pair.split("="))
      .find(([name]) => name === "r")?.[1];
    return lastSegment(resource ?? "");
  }
  const withMode = /^(?:publish|read):(.*)$/.exec(streamId);
  return lastSegment(withMode ? withMode[1]! : streamId);
}

const lastSegment = (path: string) => path.slice(path.lastIndexOf("/") + 1);
