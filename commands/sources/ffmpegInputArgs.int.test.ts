// Runs the real ffmpeg against crafted HLS playlists and URLs to prove that our whitelist is the one
// applied to every URL the demuxer opens on its own, and that redirects are refused. Refusals come
// with control runs that succeed, so a refusal cannot come from a broken fixture.
import { execFile, execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpegInputArgs } from "./ffmpegInputArgs.ts";

const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";

const run = (args: string[]): Promise<{ code: number; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      FFMPEG,
      ["-hide_banner", "-nostdin", "-v", "error", ...args, "-f", "null", "-"],
      (error, _out, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stderr }),
    );
  });

const playlist = (...segments: string[]): string =>
  [
    "#EXTM3U",
    "#EXT-X-TARGETDURATION:1",
    ...segments.flatMap((s) => ["#EXTINF:1.0,", s]),
    "#EXT-X-ENDLIST",
    "",
  ].join("\n");

let dir: string;
let server: Server;
let origin: string;
let segmentBase64: string;

beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "webencode-ffmpeg-args-")));
  await mkdir(join(dir, "media"));
  execFileSync(FFMPEG, [
    ...["-hide_banner", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10", "-t", "1"],
    ...["-c:v", "mpeg2video", "-f", "mpegts", join(dir, "media", "seg.ts")],
  ]);
  const segment = await readFile(join(dir, "media", "seg.ts"));
  segmentBase64 = segment.toString("base64");
  await writeFile(join(dir, "secret.ts"), segment); // outside the media folder

  server = createServer((req, res) => {
    const routes: Record<string, () => void> = {
      "/ok.m3u8": () => res.end(playlist(`${origin}/seg.ts`)),
      "/file.m3u8": () => res.end(playlist(`file:${join(dir, "secret.ts")}`)),
      "/redirect.ts": () => res.writeHead(302, { location: `${origin}/seg.ts` }).end(),
      "/seg.ts": () => res.end(segment),
    };
    const route = routes[req.url ?? ""];
    if (route === undefined) res.writeHead(404).end();
    else route();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  await writeFile(join(dir, "media", "local-ok.m3u8"), playlist("seg.ts"));
  await writeFile(join(dir, "media", "local-http.m3u8"), playlist(`${origin}/seg.ts`));
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

// The guard would refuse 127.0.0.1; here only what ffmpeg does with an allowed source is under test.
const remote = (path: string) =>
  ffmpegInputArgs({
    _tag: "Allowed",
    url: `${origin}${path}`,
    hostname: "127.0.0.1",
    addresses: [{ address: "127.0.0.1", family: 4 }],
  });
const local = (name: string) =>
  ffmpegInputArgs({ _tag: "Resolved", path: join(dir, "media", name), relative: name });

describe("ffmpegInputArgs with the real ffmpeg", () => {
  it("plays a remote playlist whose segments are http", async () => {
    expect(await run(remote("/ok.m3u8"))).toMatchObject({ code: 0 });
  });

  it("plays a local playlist whose segments are local files", async () => {
    expect(await run(local("local-ok.m3u8"))).toMatchObject({ code: 0 });
  });

  it("stops a remote playlist from reading a local file", async () => {
    const result = await run(remote("/file.m3u8"));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Protocol 'file' not on whitelist 'http,https,tcp,tls'");
  });

  it("stops a local playlist from reaching the network", async () => {
    const result = await run(local("local-http.m3u8"));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Protocol 'http' not on whitelist 'file'");
  });

  it("is a second wall: a non-http URL that got past the guard is still not opened", async () => {
    const smuggle = (url: string) => ffmpegInputArgs({ _tag: "Allowed", url, hostname: "", addresses: [] });
    const dataUrl = `data:video/mp2t;base64,${segmentBase64}`;
    const fileUrl = `file:${join(dir, "secret.ts")}`;
    for (const url of [dataUrl, fileUrl]) {
      expect(await run(["-i", url]), "control: ffmpeg opens it by default").toMatchObject({ code: 0 });
      const result = await run(smuggle(url));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("not on whitelist 'http,https,tcp,tls'");
    }
  });

  it("refuses to follow a redirect that the SSRF check never saw", async () => {
    expect(await run(["-i", `${origin}/redirect.ts`])).toMatchObject({ code: 0 });
    expect((await run(remote("/redirect.ts"))).code).not.toBe(0);
  });
});
