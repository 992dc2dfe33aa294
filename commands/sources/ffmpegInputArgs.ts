// The ffmpeg arguments that open a checked source. The protocol whitelist is inherited by every URL the
// demuxer opens on its own (HLS/DASH segments, playlists, concat entries), so a crafted playlist cannot
// reach file:, data:, subfile:, concat: or anything else; redirects are refused because the SSRF check
// only vetted the URL we were given, not wherever a server sends ffmpeg next.
import type { ResolvedMediaPath } from "./resolveMediaPath.ts";
import type { RemoteSourceAllowed } from "./ssrfGuard.ts";

const LOCAL_PROTOCOLS = "file";
const REMOTE_PROTOCOLS = "http,https,tcp,tls";

export const ffmpegInputArgs = (source: ResolvedMediaPath | RemoteSourceAllowed): string[] => {
  if (source._tag === "Resolved") {
    // `file:` keeps a name with a colon in it from being read as a protocol prefix.
    return ["-protocol_whitelist", LOCAL_PROTOCOLS, "-i", `file:${source.path}`];
  }
  return ["-protocol_whitelist", REMOTE_PROTOCOLS, "-max_redirects", "0", "-i", source.url];
};
