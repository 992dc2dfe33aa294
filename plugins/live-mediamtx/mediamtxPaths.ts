// MediaMTX's paths (GET /v3/paths/list) as the engine follows them: which path has a publisher, how
// many bytes it has received, who reads it, and the API call that kicks its publisher.

export interface MediamtxPath {
  readonly name: string;
  readonly ready: boolean;
  /** The publisher's connection, as the API names it; null with no publisher. */
  readonly source: { readonly type: string; readonly id: string } | null;
  readonly bytesReceived: number;
  readonly readers: number;
  readonly tracks: readonly string[];
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};

export function mediamtxPaths(body: unknown): readonly MediamtxPath[] {
  const items = record(body).items;
  if (!Array.isArray(items)) return [];
  return items.map((raw) => {
    const item = record(raw);
    const source = record(item.source);
    return {
      name: typeof item.name === "string" ? item.name : "",
      ready: item.ready === true,
      source:
        typeof source.type === "string" && typeof source.id === "string"
          ? { type: source.type, id: source.id }
          : null,
      bytesReceived: typeof item.bytesReceived === "number" ? item.bytesReceived : 0,
      readers: Array.isArray(item.readers) ? item.readers.length : 0,
      tracks: Array.isArray(item.tracks) ? item.tracks.filter((t): t is string => typeof t === "string") : [],
    };
  });
}

const kickRoutes: Record<string, string> = {
  rtmpConn: "rtmpconns",
  rtmpsConn: "rtmpsconns",
  srtConn: "srtconns",
  rtspSession: "rtspsessions",
  rtspsSession: "rtspssessions",
  webRTCSession: "webrtcsessions",
};

/** The API path that kicks a publisher, or null for a source MediaMTX cannot kick (a pulled one). */
export function kickPathOf(source: { readonly type: string; readonly id: string }): string | null {
  const route = kickRoutes[source.type];
  return route === undefined ? null : `/v3/${route}/kick/${encodeURIComponent(source.id)}`;
}

/** Codec names of MediaMTX's track list ("H264", "H265", "MPEG-4 Audio") as the telemetry gives them. */
export function codecsOf(tracks: readonly string[]): { video: string | null; audio: string | null } {
  const video = new Map([
    ["H264", "h264"],
    ["H265", "hevc"],
    ["AV1", "av1"],
    ["VP9", "vp9"],
  ]);
  const audio = new Map([
    ["MPEG-4 Audio", "aac"],
    ["Opus", "opus"],
    ["MPEG-1/2 Audio", "mp3"],
  ]);
  return {
    video: tracks.map((t) => video.get(t)).find((c) => c !== undefined) ?? null,
    audio: tracks.map((t) => audio.get(t)).find((c) => c !== undefined) ?? null,
  };
}
