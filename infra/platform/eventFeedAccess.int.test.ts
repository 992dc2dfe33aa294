// The event feed through the real kernel with real tokens and tickets: what each role reads, the caps
// from the configuration, and the end of every feed of a token when it is revoked.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import type { Role } from "../http/httpEnv.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
import { openDatabase, type PlatformDatabase } from "./openDatabase.ts";
import { loadConfig } from "./platformConfig.ts";
import { type Kernel, startKernel } from "./startKernel.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-feed-access-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await writeFile(join(dir, "media", "clip.mp4"), "not a video: the job fails, its events are what counts");
  database = await createTestDatabase("feed_access");
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") },
    { WEBENCODE_FEED_MAX_CLIENTS: "6", WEBENCODE_FEED_MAX_CLIENTS_PER_TOKEN: "3" },
  );
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});
});
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function issue(role: Role) {
  const issued = await kernel.tokens.issue({ name: role, role }, { userId: "system", role: "system" });
  if (issued._tag !== "Issued") throw new Error(issued._tag);
  return issued;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Feed {
  status: number;
  text(): string;
  ended: boolean;
  close(): void;
}

async function openFeed(query: string, headers: Record<string, string> = {}): Promise<Feed> {
  const controller = new AbortController();
  onTestFinished(() => controller.abort());
  const response = await fetch(`${kernel.url}/v1/events/stream${query}`, {
    headers,
    signal: controller.signal,
  });
  let text = "";
  const feed: Feed = {
    status: response.status,
    text: () => text,
    ended: false,
    close: () => controller.abort(),
  };
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) text += decoder.decode(chunk, { stream: true });
    } catch {
      // closed by the test
    }
    feed.ended = true;
  })();
  return feed;
}

async function ticketOf(token: string): Promise<string> {
  const response = await fetch(`${kernel.url}/v1/events/ticket`, { method: "POST", headers: bearer(token) });
  return ((await response.json()) as { ticket: string }).ticket;
}

describe("the event feed through the kernel", () => {
  it("shows viewers and operators no token event, and admins token events without the hash", async () => {
    const [viewer, operator, admin] = [await issue("viewer"), await issue("operator"), await issue("admin")];
    const feeds = {
      viewer: await openFeed("?from=start", bearer(viewer.token)),
      operator: await openFeed("?from=start", bearer(operator.token)),
      admin: await openFeed("?from=start", bearer(admin.token)),
    };
    const later = await issue("viewer");
    // a job event after the token events: once it arrived, so would have any token event before it
    const submitted = await fetch(`${kernel.url}/v1/jobs`, {
      method: "POST",
      headers: { ...bearer(operator.token), "content-type": "application/json" },
      body: JSON.stringify({ source_url: "fs://clip.mp4", profile: "720p_h264" }),
    });
    const jobId = ((await submitted.json()) as { id?: string }).id;
    expect(jobId).toBeDefined();
    for (const feed of Object.values(feeds)) await expect.poll(() => feed.text()).toContain(jobId);
    for (const feed of [feeds.viewer, feeds.operator]) {
      expect(feed.text()).not.toMatch(/event: Token|token-/);
    }
    expect(feeds.admin.text()).toContain(`"token_id":"${later.tokenId}"`);
    expect(feeds.admin.text()).toMatch(/event: TokenIssued/);
    expect(feeds.admin.text()).not.toMatch(/sha256:|"hash"/);
  });

  it("ends every feed of a revoked token, opened with the token or one of its tickets, promptly", async () => {
    const [admin, revoked, kept] = [await issue("admin"), await issue("operator"), await issue("viewer")];
    const withToken = await openFeed("", bearer(revoked.token));
    const ticket = await ticketOf(revoked.token);
    const withTicket = await openFeed(`?types=progress&ticket=${encodeURIComponent(ticket)}`);
    const bystander = await openFeed("", bearer(kept.token));
    expect([withToken.status, withTicket.status, bystander.status]).toEqual([200, 200, 200]);
    const revoke = await fetch(`${kernel.url}/v1/tokens/${revoked.tokenId}`, {
      method: "DELETE",
      headers: bearer(admin.token),
    });
    expect(revoke.status).toBeLessThan(300);
    for (const feed of [withToken, withTicket]) {
      await expect.poll(() => feed.ended).toBe(true);
      expect(feed.text()).toMatch(/event: error\ndata: .*"code":"WE-AUTH-001".*revoked/);
    }
    const again = await fetch(`${kernel.url}/v1/events/stream?ticket=${encodeURIComponent(ticket)}`);
    expect(again.status).toBe(401);
    expect(bystander.ended).toBe(false);
  });

  // last: feeds of the tests before may still be on their way out, so the server-wide cap is found, not counted
  it("caps open feeds per token and in all from the configuration, with 429 WE-SYS-005 and Retry-After", async () => {
    const one = await issue("viewer");
    const held = [
      await openFeed("", bearer(one.token)),
      await openFeed("", bearer(one.token)),
      await openFeed(`?ticket=${encodeURIComponent(await ticketOf(one.token))}`),
    ];
    expect(held.map((feed) => feed.status)).toEqual([200, 200, 200]);
    const refused = await fetch(`${kernel.url}/v1/events/stream`, { headers: bearer(one.token) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    const body = (await refused.json()) as { error: { code: string; details: string } };
    expect(body.error).toMatchObject({ code: "WE-SYS-005", details: expect.stringMatching(/this token/) });

    let full: Response | undefined;
    for (let n = 0; n < 6 && full === undefined; n++) {
      const other = await issue("viewer");
      const feed = await openFeed("", bearer(other.token));
      if (feed.status === 429) {
        full = await fetch(`${kernel.url}/v1/events/stream`, { headers: bearer(other.token) });
      }
      held.push(feed);
    }
    expect(full?.status).toBe(429);
    expect(full?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await full!.json()) as { error: { details: string } }).error.details).toMatch(
      /6 open event feeds/,
    );
  });
});
