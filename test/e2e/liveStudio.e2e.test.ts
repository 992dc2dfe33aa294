// The live pages in a real browser against `webencode up` with its RTMP ingest: a stream created on
// /streams/new shows an OBS server and a masked key that reveals; ffmpeg publishes to exactly what the
// page showed; the live studio turns LIVE, its uptime counts and its charts' points move each second;
// the studio ends the stream and it goes back to offline, under "Past streams". Then a restream of it
// made from the studio's "Restream to…" keeps its destination key masked and shows in the studio; a
// looping file restream made on /restreams/new reaches a real RTMP receiver, live on its page and the list.
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuild } from "../../infra/platform/dashboardBuild.ts";
import type { StreamDetail } from "../../schemas/api/streamResponses.ts";
import { type DashboardBrowser, openDashboardBrowser } from "../support/dashboardBrowser.ts";
import { makeClip } from "../support/mediaClip.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";
import { publishTestStream } from "../support/publishTestStream.ts";
import { freeTcpPort, startRtmpReceiver, videoPacketTimes } from "../support/rtmpReceiver.ts";

let dir: string;
let platform: PlatformProcess;
let dashboard: DashboardBrowser;
let admin: BrowserContext;
let publisher: ReturnType<typeof publishTestStream> | undefined;
/** The stream the first test creates; the second restreams it. */
let streamId = "";

beforeAll(async () => {
  const build = await ensureDashboardBuild();
  expect(build._tag).toBe("DashboardReady");
  dir = await mkdtemp(join(tmpdir(), "webencode-live-studio-"));
  await chmod(dir, 0o755);
  // any free ports: the page must hand out the ones the platform really listens on
  platform = await startPlatform(join(dir, "data"), join(dir, "media"), {
    WEBENCODE_RTMP_PORT: "0",
    WEBENCODE_SRT_PORT: "0",
    WEBENCODE_LIVE_PUBLIC_HOST: "127.0.0.1",
  });
  dashboard = await openDashboardBrowser(platform, platform.adminToken!);
  admin = await dashboard.signedIn(platform.adminToken!);
}, 240_000);

afterAll(async () => {
  publisher?.child.kill("SIGINT");
  await dashboard?.close();
  await platform?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What the bitrate chart draws now: how many points, the newest one's time and its line. */
const chartState = (page: Page) =>
  page.getByTestId("bitrate-chart").evaluate((figure) => ({
    points: Number(figure.getAttribute("data-points")),
    lastAt: figure.getAttribute("data-last-at") ?? "",
    line: figure.querySelector(".recharts-line-curve")?.getAttribute("d") ?? "",
  }));

describe("the live studio", () => {
  it("creates a stream, shows LIVE with moving charts while ffmpeg publishes to the key it showed, and ends it", async () => {
    const page = await admin.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto(`${platform.url}/streams`);
    await page.getByTestId("streams-empty").waitFor();
    await page.getByRole("link", { name: "New stream" }).first().click();

    await page.getByLabel("Title").fill("Harbour cam");
    await page.getByLabel("Description").fill("The harbour, live");
    // archive stays on: the session is recorded, and its preview plays from that recording's segments
    expect(await page.getByLabel("Archive to VOD").isChecked()).toBe(true);
    await page.getByRole("button", { name: "Create stream" }).click();
    const created = page.getByTestId("stream-created");
    await created.waitFor();
    streamId = (await created.getAttribute("data-stream-id")) ?? "";

    // OBS's two fields: the server as the platform listens, the key masked until revealed
    const server = await page.getByTestId("ingest-server").inputValue();
    expect(server).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live$/);
    expect(server).not.toMatch(/:0\//);
    const key = page.getByTestId("stream-key");
    expect(await key.getAttribute("data-revealed")).toBe("false");
    expect(await key.inputValue()).toMatch(/^•+.{4}$/);
    await page.getByRole("button", { name: "Reveal Stream key" }).click();
    const streamKey = await key.inputValue();
    expect(streamKey).toMatch(/^live_[A-Za-z0-9_-]{32}$/);
    await page.getByLabel("Protocol").selectOption("srt");
    expect(await page.getByTestId("ingest-srt").inputValue()).toMatch(/^srt:\/\/127\.0\.0\.1:\d+/);

    await page.getByRole("link", { name: "Open the live studio" }).click();
    await page.waitForURL(new RegExp(`/streams/${streamId}$`));
    expect(await page.getByTestId("live-badge").getAttribute("data-status")).toBe("idle");
    expect(await page.getByTestId("bitrate-chart").getAttribute("data-points")).toBe("0");

    publisher = publishTestStream(`${server}/${streamKey}`, 60);
    await page
      .locator('[data-testid="live-badge"][data-status="live"]')
      .first()
      .waitFor({ timeout: 20_000 })
      .catch((error: unknown) => {
        throw new Error(`the studio did not turn LIVE: ${String(error)}\n${platform.output().slice(-3000)}`);
      });
    expect(await page.getByTestId("live-badge").first().textContent()).toBe("Live");

    // the charts move: more points, a newer last one, another line, second after second
    await expect
      .poll(async () => (await chartState(page)).points, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    const before = await chartState(page);
    await expect
      .poll(async () => (await chartState(page)).points, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(before.points + 2);
    const after = await chartState(page);
    expect(after.points).toBeGreaterThanOrEqual(before.points + 2);
    expect(Date.parse(after.lastAt)).toBeGreaterThan(Date.parse(before.lastAt));
    expect(after.line).not.toBe("");
    expect(after.line).not.toBe(before.line);

    // the figures are the publisher's: a frame rate near its 25, a bitrate, its picture size
    const fps = Number(await page.getByTestId("fps").textContent());
    expect(fps).toBeGreaterThan(15);
    expect(fps).toBeLessThan(35);
    expect(await page.getByTestId("video-bitrate").textContent()).toMatch(/\d.* (kb|Mb)\/s$/);
    await expect.poll(() => page.getByTestId("live-figures").textContent()).toContain("320×240");
    expect(await page.getByTestId("uptime").textContent()).toMatch(/^Online for \d+:\d\d$/);
    expect(await page.getByTestId("health").getAttribute("data-verdict")).not.toBe("offline");
    // the preview plays the session's HLS playlist a few seconds behind the publisher
    await expect
      .poll(
        () =>
          page
            .getByTestId("live-preview")
            .evaluate((video) => (video as unknown as { currentTime: number }).currentTime),
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);
    // this page's player is the preview's one viewer, however often the page reads the stream again
    await expect.poll(() => page.getByTestId("viewers").textContent(), { timeout: 15_000 }).toBe("1");
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await page.getByTestId("viewers").textContent()).toBe("1");
    await dashboard.shot(page, "live-studio", { fullPage: true });

    const listed = await dashboard.api<StreamDetail>("GET", `/v1/streams/${streamId}`);
    expect(listed.status).toBe("live");

    await page.getByRole("button", { name: "End stream" }).click();
    await page.locator('[data-testid="live-badge"][data-status="idle"]').first().waitFor({ timeout: 15_000 });
    // ending the stream disconnects its publisher (ffmpeg would otherwise send for a minute)
    const disconnected = await Promise.race([
      publisher.exit.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000)),
    ]);
    expect(disconnected).toBe(true);
    await page.getByTestId("stream-sessions").locator("tr[data-session-id]").first().waitFor();

    await page.goto(`${platform.url}/streams`);
    await page.getByTestId("streams-past").locator(`tr[data-stream-id="${streamId}"]`).waitFor();
    expect(await page.getByTestId("streams-on-air").locator("tr[data-stream-id]").count()).toBe(0);
    await page.close();
  }, 60_000);

  it("restreams the stream from its studio: the form's destinations are saved with their keys masked, one re-encoded, and the studio lists it", async () => {
    expect(streamId).not.toBe("");
    const page = await admin.newPage();
    await page.goto(`${platform.url}/streams/${streamId}`);
    await page.getByRole("link", { name: "Restream to…" }).click();
    await page.getByLabel("Title", { exact: true }).fill("Harbour cam everywhere");
    await expect.poll(() => page.getByLabel("Stream", { exact: true }).inputValue()).toBe(streamId);
    // one destination, YouTube's server filled in; a start in a year, so no run begins in this test
    expect(await page.getByLabel("Server").inputValue()).toBe("rtmp://a.rtmp.youtube.com/live2");
    await page.getByLabel("Stream key").fill("abcd-efgh-ijkl-9876");
    // a second destination, for a platform with a bitrate cap: re-encoded at 2500 kb/s
    await page.getByRole("button", { name: "Add destination" }).click();
    const second = page.locator('[data-destination="1"]');
    await second.getByLabel("Platform").selectOption("twitch");
    await second.getByLabel("Stream key").fill("live_5432_capped");
    await second.getByLabel("Re-encode (kb/s)").fill("2500");
    await page.getByLabel("At a time").check();
    const nextYear = new Date().getFullYear() + 1;
    await page.getByLabel("Starts at").fill(`${nextYear}-06-01T20:00`);
    await page.getByRole("button", { name: "Create restream" }).click();
    await page.waitForURL(/\/restreams\/[0-9a-f-]{36}$/);

    const destination = page.getByTestId("restream-destinations").locator("tr[data-destination-id]").first();
    await destination.waitFor();
    expect(await destination.getAttribute("data-state")).toBe("idle");
    const shownUrl = (await destination.locator("td").nth(1).textContent()) ?? "";
    expect(shownUrl).toMatch(/^rtmp:\/\/a\.rtmp\.youtube\.com\/live2\/.*9876$/);
    expect(shownUrl).not.toContain("abcd-efgh");
    const capped = page.getByTestId("restream-destinations").locator("tr[data-destination-id]").nth(1);
    expect(await capped.locator('[data-figure="reencode"]').textContent()).toBe("re-encoded at 2500 kb/s");
    expect(await capped.locator("td").nth(1).textContent()).toMatch(
      /^rtmp:\/\/live\.twitch\.tv\/app\/.*pped$/,
    );
    expect(await capped.locator("td").nth(1).textContent()).not.toContain("live_5432");
    await dashboard.shot(page, "restream-detail");

    await page.goto(`${platform.url}/streams/${streamId}`);
    await page
      .getByTestId("stream-restreams")
      .getByRole("link", { name: "Harbour cam everywhere" })
      .waitFor();
    await page.close();
  }, 30_000);

  it("sends a looping file made on /restreams/new to an RTMP receiver: its destination live with a bitrate on its page, streaming in the list, then stopped", async () => {
    await mkdir(join(dir, "media"), { recursive: true });
    await makeClip(join(dir, "media", "harbour-loop.mp4"), { seconds: 2, width: 320, height: 180 });
    const receiver = startRtmpReceiver(await freeTcpPort(), join(dir, "received.flv"));
    await receiver.listening();
    const page = await admin.newPage();
    try {
      await page.goto(`${platform.url}/restreams`);
      await page.getByRole("link", { name: "New restream" }).first().click();
      await page.getByLabel("Title", { exact: true }).fill("Harbour loop");
      await page.getByLabel("File", { exact: true }).check();
      await page.getByLabel("File URL").fill("fs://harbour-loop.mp4");
      await page.getByLabel("Loop").check();
      await page.getByLabel("Platform").selectOption("custom");
      await page.getByLabel("Server").fill(receiver.url.replace(/\/stream-key-0001$/, ""));
      await page.getByLabel("Stream key").fill("stream-key-0001");
      await page.getByRole("button", { name: "Create restream" }).click();
      await page.waitForURL(/\/restreams\/[0-9a-f-]{36}$/);
      const id = page.url().split("/").at(-1)!;

      const destination = page
        .getByTestId("restream-destinations")
        .locator("tr[data-destination-id]")
        .first();
      await destination.and(page.locator('[data-state="live"]')).waitFor({ timeout: 20_000 });
      // the bitrate cell fills from the running restream's figures (the page asks every 2 s)
      await expect
        .poll(async () => (await destination.locator("td").nth(4).textContent()) ?? "", { timeout: 10_000 })
        .toMatch(/^[1-9][\d.,]*\s*[kM]b\/s$/);
      await dashboard.shot(page, "restream-live");

      await page.goto(`${platform.url}/restreams`);
      const row = page.locator(`tr[data-restream-id="${id}"]`);
      await expect.poll(async () => (await row.textContent()) ?? "", { timeout: 10_000 }).toMatch(/1 \/ 1/);

      // past the 2 s clip's end: it loops
      await expect
        .poll(
          async () => {
            const times = await videoPacketTimes(receiver.file).catch(() => []);
            return times.length === 0 ? 0 : times.at(-1)! - times[0]!;
          },
          { timeout: 10_000 },
        )
        .toBeGreaterThan(2.5);
      await page.getByRole("button", { name: "Stop Harbour loop" }).click();
      await expect.poll(async () => (await row.textContent()) ?? "", { timeout: 10_000 }).toMatch(/0 \/ 1/);
    } finally {
      await page.close();
      await receiver.close();
    }
    expect(await videoPacketTimes(receiver.file)).not.toHaveLength(0);
  }, 60_000);
});
