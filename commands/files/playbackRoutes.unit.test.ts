import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FsMediaStorage, fsMediaStorage } from "../../test/support/fsMediaStorage.ts";
import { testApp } from "../../test/support/testApp.ts";
import { playbackRoutes } from "./playbackRoutes.ts";
import { playbackLink, playbackSigner } from "./playbackToken.ts";

let root: string;
let storage: FsMediaStorage;
const jobId = randomUUID();
const signer = playbackSigner("secret of this installation");
const live = new Set<string>([jobId]);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "playback-unit-"));
  storage = await fsMediaStorage({ storageRoot: root });
  const folder = join(root, "outputs", jobId, "package", "video", "360p");
  await mkdir(folder, { recursive: true });
  await writeFile(join(root, "outputs", jobId, "package", "master.m3u8"), "#EXTM3U\nvideo/360p/index.m3u8\n");
  await writeFile(join(folder, "seg_00001.m4s"), "0123456789");
});
afterEach(async () => {
  await storage.close();
  await rm(root, { recursive: true, force: true });
});

const app = () =>
  testApp((a) => {
    a.route("/", playbackRoutes({ jobs: storage.jobs, signer, jobIsLive: async (id) => live.has(id) }));
  });

describe("playback links", () => {
  it("grant one folder of one job until they expire, and refuse a tampered or foreign token", () => {
    const token = signer.sign({ jobId, folder: "package", expiresAtSec: 2_000 });
    expect(signer.verify(token, 1_999_000)).toEqual({ jobId, folder: "package", expiresAtSec: 2_000 });
    expect(signer.verify(token, 2_000_000)).toEqual({ _tag: "Expired" });
    expect(signer.verify(token.replace("package", "subtitles"), 0)).toEqual({ _tag: "Invalid" });
    expect(signer.verify(token.replace(".2000.", ".9000."), 0)).toEqual({ _tag: "Invalid" });
    expect(playbackSigner("another installation").verify(token, 0)).toEqual({ _tag: "Invalid" });
    expect(signer.verify("not-a-token", 0)).toEqual({ _tag: "Invalid" });
  });

  it("make a link only for files in a playable folder of a job's outputs", () => {
    expect(playbackLink(signer, `outputs/${jobId}/package/master.m3u8`, 60, 0)?.url).toMatch(
      new RegExp(`^/v1/play/${jobId}\\.package\\.60\\.[\\w-]+/master\\.m3u8$`),
    );
    expect(playbackLink(signer, `outputs/${jobId}/${jobId}_final.mp4`, 60, 0)).toBeNull();
    expect(playbackLink(signer, `work/${jobId}/package/master.m3u8`, 60, 0)).toBeNull();
  });
});

describe("GET /v1/play/{token}/{path}", () => {
  const link = (path: string, ttl = 60) =>
    playbackLink(signer, `outputs/${jobId}/package/${path}`, ttl, Date.now())!.url;

  it("serves the manifest inline and the segments its relative URIs name, with ranges and CORS", async () => {
    const master = await app().request(link("master.m3u8"));
    expect(master.status).toBe(200);
    expect(master.headers.get("content-type")).toContain("mpegurl");
    expect(master.headers.get("access-control-allow-origin")).toBe("*");
    expect(master.headers.get("content-disposition")).toBeNull();
    // a relative URI resolved against the manifest's URL carries the same grant
    const segment = new URL("video/360p/seg_00001.m4s", `http://kernel${link("master.m3u8")}`);
    const ranged = await app().request(segment.pathname, { headers: { range: "bytes=2-5" } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe("2345");
    const preflight = await app().request(segment.pathname, { method: "OPTIONS" });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toBe("Range");
  });

  it("refuses an expired or forged link, paths that climb out, and a deleted job's files", async () => {
    const expired = await app().request(link("master.m3u8", -1));
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe("WE-AUTH-002");
    const forged = await app().request(link("master.m3u8").replace(/\.[\w-]+\/master/, ".AAAA/master"));
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("WE-AUTH-001");
    for (const path of ["..%2F..%2Fsecrets", "video/../../x", "video/%2e%2e/x"]) {
      const climbed = await app().request(`${link("master.m3u8").replace(/master\.m3u8$/, "")}${path}`);
      expect(climbed.status).toBe(404);
    }
    live.delete(jobId);
    const gone = await app().request(link("master.m3u8"));
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe("WE-JOB-004");
    live.add(jobId);
  });
});
