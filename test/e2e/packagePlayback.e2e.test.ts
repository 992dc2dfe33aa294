// A packaged ladder played in Debian's chromium: HLS with hls.js and DASH with dash.js, each to `ended`
// with no player error, switching renditions when the bandwidth is cut mid-play, listing the audio and
// subtitle tracks with their languages; and the AES-128 package played by hls.js with the key it serves.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageLadder } from "../../plugins/encoder-ffmpeg/packageLadder.ts";
import type { PackageRequest } from "../../plugins/sdk/mediaOutputs.ts";
import { type LadderInputs, makeLadderInputs } from "../support/packageLadderInputs.ts";
import { type PackagePlayerServer, startPackagePlayerServer } from "../support/packagePlayerServer.ts";
import { playThrottled, untilPlayer } from "../support/playerSession.ts";

const config = {
  ffmpegPath: process.env.FFMPEG_PATH ?? "ffmpeg",
  ffprobePath: process.env.FFPROBE_PATH ?? "ffprobe",
};
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const KEY = {
  keyUri: "/key",
  keyHex: "3f1e2d4c5b6a79880112233445566778",
  ivHex: "000102030405060708090a0b0c0d0e0f",
};

let dir: string;
let inputs: LadderInputs;
let browser: Browser;
let clear: PackagePlayerServer;
let encrypted: PackagePlayerServer;

async function packageInto(name: string, overrides: Partial<PackageRequest>): Promise<string> {
  const outputDir = join(dir, name);
  await mkdir(outputDir);
  const result = await packageLadder(config, {
    ...inputs,
    segmentSec: 2,
    hls: true,
    dash: true,
    encryption: null,
    outputDir,
    ...overrides,
  });
  expect(result._tag, JSON.stringify(result)).toBe("Packaged");
  return outputDir;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "package-playback-"));
  // 2 s segments over 16 s: enough segment boundaries for the players to change rendition at.
  inputs = await makeLadderInputs(dir, 16);
  clear = await startPackagePlayerServer(await packageInto("clear", {}));
  encrypted = await startPackagePlayerServer(await packageInto("encrypted", { encryption: KEY }), KEY.keyHex);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await clear?.close();
  await encrypted?.close();
  await rm(dir, { recursive: true, force: true });
});

const FRENCH_CUES = [
  [0, 2.5, "Un"],
  [3, 5.5, "Deux"],
  [6, 8.5, "Trois"],
  [9, 11.5, "Quatre"],
];
/** The cues of the French text track the player made, at the times the WebVTT file gives. */
const frenchCues = async (page: Page) => {
  const tracks = (await page.evaluate("cues()")) as { lang: string; cues: unknown[] }[];
  return tracks.find((t) => t.lang === "fr")?.cues;
};

describe("a packaged ladder in chromium", () => {
  it("plays master.m3u8 with hls.js to the end, down a rendition when throttled, with its audio and subtitle tracks", async () => {
    const page = await browser.newPage();
    // startLevel 2: hls.js sorts levels by bandwidth, so the top one (360p).
    const played = await playThrottled(page, clear.url, `playHls("/pkg/master.m3u8", 2)`);
    expect(played.fatal).toEqual([]);
    expect(played.levels[0]).toBe("360p");
    // Starved on purpose: hls.js abandons a fragment to switch down and may stall; nothing else.
    const expected =
      /^(networkError\/(aborted|fragLoadTimeOut)|mediaError\/buffer(SeekOverHole|StalledError|NudgeOnStall))$/;
    expect(played.warnings.filter((w) => !expected.test(w))).toEqual([]);
    expect(new Set(played.levels).size, JSON.stringify(played)).toBeGreaterThanOrEqual(2);
    expect(played.audioTracks.map((t) => t.lang)).toEqual(["en", "fr"]);
    expect(played.audioTracks[1]!.name).toBe("Français 'commentaire' & <b>");
    expect(played.subtitleTracks).toEqual([
      { lang: "en", name: "English" },
      { lang: "fr", name: "Français" },
    ]);
    expect(await frenchCues(page)).toEqual(FRENCH_CUES);
    await page.close();
  });

  it("plays manifest.mpd with dash.js to the end, down a rendition when throttled, with its audio and text tracks", async () => {
    const page = await browser.newPage();
    const played = await playThrottled(page, clear.url, `playDash("/pkg/manifest.mpd")`);
    expect(played.fatal).toEqual([]);
    expect(new Set(played.levels).size, JSON.stringify(played)).toBeGreaterThanOrEqual(2);
    expect(played.audioTracks.map((t) => t.lang).sort()).toEqual(["en", "fr"]);
    expect(played.audioTracks.map((t) => t.name)).toContain('Français "commentaire" & <b>');
    expect(played.subtitleTracks.map((t) => `${t.lang}:${t.name}`).sort()).toEqual([
      "en:English",
      "fr:Français",
    ]);
    expect(await frenchCues(page)).toEqual(FRENCH_CUES);
    await page.close();
  });

  it("plays the AES-128 package with hls.js, the key fetched from the server, without a player error", async () => {
    const page = await browser.newPage();
    const keyRequests: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/key") keyRequests.push(request.url());
    });
    await page.goto(`${encrypted.url}/player.html`);
    await page.evaluate(`playHls("/pkg/master.m3u8", -1)`);
    const played = await untilPlayer(page, "the end of playback", (r) => r.ended, 90_000);
    expect(played.fatal).toEqual([]);
    // B-frames make H.264 from ffmpeg present its first frame 2 frames (67 ms) after 0; hls.js may
    // report skipping that gap, which is no fault. Anything else is.
    expect(played.warnings.filter((w) => w !== "mediaError/bufferSeekOverHole")).toEqual([]);
    expect(keyRequests.length).toBeGreaterThan(0);
    await page.close();
  });
});
