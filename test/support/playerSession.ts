// Tests only: drives the player page of packagePlayerServer.ts in chromium — reads what the players did,
// waits for it, and plays to the end with the bandwidth cut mid-play, as a viewer on a bad line would.
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { PlayerReport } from "./packagePlayerServer.ts";

export const report = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { report: PlayerReport }).report);

export async function untilPlayer(
  page: Page,
  what: string,
  done: (r: PlayerReport) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await report(page);
    if (now.fatal.length > 0)
      throw new Error(`player error while waiting for ${what}: ${now.fatal.join("; ")}`);
    if (done(now)) return now;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms: ${JSON.stringify(now)}`);
    await page.waitForTimeout(200);
  }
}

/**
 * Plays to the end with the bandwidth cut to 40 kB/s (below the 360p and 240p variants) once the
 * player has started high, and given back when it has come down: the level-switch events must show
 * at least two renditions. French subtitles are turned on once it plays, as a viewer would.
 */
export async function playThrottled(
  page: Page,
  playerUrl: string,
  start: string,
  /** What the line carries while cut, in bytes per second: below the top rendition, above the next. */
  throttledBytesPerSec = 40_000,
): Promise<PlayerReport> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await page.goto(`${playerUrl}/player.html`);
  await page.evaluate(start);
  await untilPlayer(page, "playback", (r) => r.playing && r.levels.length > 0, 30_000);
  expect(await page.evaluate(`showSubtitles("fr")`)).toBeGreaterThanOrEqual(0);
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 20,
    downloadThroughput: throttledBytesPerSec,
    uploadThroughput: throttledBytesPerSec,
  });
  const first = (await report(page)).levels[0];
  await untilPlayer(
    page,
    "a switch to another rendition",
    (r) => r.levels.some((level) => level !== first),
    60_000,
  );
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  return untilPlayer(page, "the end of playback", (r) => r.ended, 90_000);
}
