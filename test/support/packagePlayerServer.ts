// A static HTTP server for playing a packaged ladder in a browser: the package folder under /pkg/, an
// AES-128 key at /key, hls.js and dash.js from node_modules under /lib/, and /player.html, whose page
// functions play a URL with either player and record what it did in `window.report`.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

const require = createRequire(import.meta.url);
const LIBS: Record<string, string> = {
  "/lib/hls.min.js": require.resolve("hls.js/dist/hls.min.js"),
  // The "require" condition of dashjs's exports is its UMD build, the one a <script> tag loads.
  "/lib/dash.all.min.js": require.resolve("dashjs"),
};

const TYPES: Record<string, string> = {
  ".m3u8": "application/vnd.apple.mpegurl",
  ".mpd": "application/dash+xml",
  ".mp4": "video/mp4",
  ".m4s": "video/iso.segment",
  ".vtt": "text/vtt",
  ".js": "text/javascript",
  ".html": "text/html; charset=utf-8",
};

/** What the page's players did, read back by the test. */
export interface PlayerReport {
  /** Every rendition the player switched to or rendered, in order (hls.js level names, dash.js ids). */
  levels: string[];
  fatal: string[];
  /** Non-fatal player errors (stalls while throttled, a retried fragment), for the failure message. */
  warnings: string[];
  audioTracks: { lang: string; name: string }[];
  subtitleTracks: { lang: string; name: string }[];
  playing: boolean;
  ended: boolean;
}

export interface PackagePlayerServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startPackagePlayerServer(
  packageDir: string,
  keyHex: string | null = null,
): Promise<PackagePlayerServer> {
  const root = normalize(packageDir);
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    const send = (status: number, body: string | Buffer, type = "text/plain") => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      response.end(body);
    };
    const serveFile = (file: string) =>
      readFile(file).then(
        (body) => send(200, body, TYPES[extname(file)] ?? "application/octet-stream"),
        () => send(404, "not found"),
      );
    if (path === "/player.html") return send(200, PLAYER_PAGE, TYPES[".html"]);
    if (path === "/key" && keyHex !== null)
      return send(200, Buffer.from(keyHex, "hex"), "application/octet-stream");
    const lib = LIBS[path];
    if (lib !== undefined) return void serveFile(lib);
    if (path.startsWith("/pkg/")) {
      const file = normalize(join(root, path.slice("/pkg/".length)));
      if (!file.startsWith(root + sep)) return send(403, "outside the package");
      return void serveFile(file);
    }
    send(404, "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const PLAYER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>package player</title></head>
<body>
<video id="video" muted playsinline width="640" height="360"></video>
<script src="/lib/hls.min.js"></script>
<script src="/lib/dash.all.min.js"></script>
<script>
const video = document.getElementById("video");
window.report = { levels: [], fatal: [], warnings: [], audioTracks: [], subtitleTracks: [], playing: false, ended: false };
video.addEventListener("playing", () => { report.playing = true; });
video.addEventListener("ended", () => { report.ended = true; });
/** The cues of every text track the player made, by language, as [start, end, text]. */
window.cues = () => Array.from(video.textTracks).map((t) => ({
  lang: t.language,
  cues: Array.from(t.cues || []).map((c) => [Math.round(c.startTime * 10) / 10, Math.round(c.endTime * 10) / 10, c.text]),
}));
video.addEventListener("error", () => { report.fatal.push("video element: " + (video.error && video.error.message)); });

window.playHls = (url, startLevel) => {
  // A short buffer goal: the player must keep fetching while it plays, so a cut in bandwidth tells.
  const hls = new Hls({
    startLevel, abrEwmaDefaultEstimate: 5000000, testBandwidth: false, capLevelToPlayerSize: false,
    maxBufferLength: 4, maxMaxBufferLength: 6,
  });
  hls.on(Hls.Events.MANIFEST_PARSED, (_, data) => {
    report.audioTracks = data.audioTracks.map((t) => ({ lang: t.lang, name: t.name }));
    report.subtitleTracks = data.subtitleTracks.map((t) => ({ lang: t.lang, name: t.name }));
    video.play().catch((e) => report.fatal.push("play(): " + e.message));
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, (_, data) => {
    const level = hls.levels[data.level];
    report.levels.push(level.height + "p");
  });
  hls.on(Hls.Events.ERROR, (_, data) => {
    (data.fatal ? report.fatal : report.warnings).push(data.type + "/" + data.details);
  });
  hls.loadSource(url);
  hls.attachMedia(video);
  window.player = hls;
};

/** Turns on the subtitles in this language, as a viewer would, so their cues load and can be read. */
window.showSubtitles = (lang) => {
  if (window.player instanceof Hls) {
    player.subtitleTrack = player.subtitleTracks.findIndex((t) => t.lang === lang);
    return player.subtitleTrack;
  }
  const index = player.getTracksFor("text").findIndex((t) => t.lang === lang);
  player.enableText(true);
  player.setTextTrack(index);
  return index;
};

window.playDash = (url) => {
  const player = dashjs.MediaPlayer().create();
  player.updateSettings({
    debug: { logLevel: dashjs.Debug.LOG_LEVEL_WARNING },
    streaming: {
      buffer: { bufferTimeDefault: 4, bufferTimeAtTopQuality: 6, bufferTimeAtTopQualityLongForm: 6 },
      abr: { initialBitrate: { video: 10000 }, autoSwitchBitrate: { video: true } },
    },
  });
  const events = dashjs.MediaPlayer.events;
  player.on(events.STREAM_INITIALIZED, () => {
    report.audioTracks = player.getTracksFor("audio").map((t) => ({ lang: t.lang, name: (t.labels[0] || {}).text || "" }));
    report.subtitleTracks = player.getTracksFor("text").map((t) => ({ lang: t.lang, name: (t.labels[0] || {}).text || "" }));
  });
  player.on(events.QUALITY_CHANGE_RENDERED, (e) => {
    if (e.mediaType !== "video") return;
    if (report.levels.length === 0 && e.oldRepresentation) report.levels.push(e.oldRepresentation.id);
    report.levels.push(e.newRepresentation.id);
  });
  player.on(events.ERROR, (e) => { report.fatal.push("dash.js: " + JSON.stringify(e.error || e)); });
  player.initialize(video, url, true);
  window.player = player;
};
</script>
</body></html>
`;
