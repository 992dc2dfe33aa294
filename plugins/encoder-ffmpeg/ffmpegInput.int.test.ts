// Runs the real ffmpeg against crafted playlists and URLs to prove that the demuxer allow-list stops a
// playlist before it opens a single segment, that the protocol whitelist still stands behind it for
// every URL a demuxer opens on its own, and that redirects are refused. Refusals come with control runs
// that succeed, so a refusal cannot come from a broken fixture.
import { execFile, execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpegInput } from "./ffmpegInput.ts";

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
let segmentHits = 0;

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
      "/seg.ts": () => {
        segmentHits++;
        res.end(segment);
      },
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

const argsOf = (input: string): string[] => {
  const { protocolWhitelist, options, target } = ffmpegInput(input);
  return ["-protocol_whitelist", protocolWhitelist, ...options, "-i", target];
};
const remote = (path: string) => argsOf(`${origin}${path}`);
const local = (name: string) => argsOf(join(dir, "media", name));
/** The same arguments without the demuxer allow-list, to test the protocol whitelist behind it. */
const withoutFormats = (args: string[]) => {
  const at = args.indexOf("-format_whitelist");
  return [...args.slice(0, at), ...args.slice(at + 2)];
};

describe("ffmpegInput with the real ffmpeg", () => {
  it("stops a remote playlist before it opens a single segment", async () => {
    segmentHits = 0;
    expect(await run(withoutFormats(remote("/ok.m3u8"))), "control: it plays").toMatchObject({ code: 0 });
    expect(segmentHits, "control: its segment is fetched").toBeGreaterThan(0);
    segmentHits = 0;
    const result = await run(remote("/ok.m3u8"));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/\[hls @ [^\]]*\] Format not on whitelist/);
    expect(segmentHits).toBe(0);
  });

  it("stops a local playlist or concat list before it opens an entry", async () => {
    await writeFile(join(dir, "media", "list.ffconcat"), "ffconcat version 1.0\nfile 'seg.ts'\n");
    expect(await run(withoutFormats(local("local-ok.m3u8"))), "control").toMatchObject({ code: 0 });
    expect(await run(withoutFormats(local("list.ffconcat"))), "control").toMatchObject({ code: 0 });
    for (const name of ["local-ok.m3u8", "local-http.m3u8", "list.ffconcat"]) {
      const result = await run(local(name));
      expect(result.code, name).not.toBe(0);
      expect(result.stderr, name).toContain("Format not on whitelist");
    }
    segmentHits = 0;
    await run(local("local-http.m3u8"));
    expect(segmentHits).toBe(0);
  });

  it("opens the media files themselves, local and remote", async () => {
    expect(await run(local("seg.ts"))).toMatchObject({ code: 0 });
    expect(await run(remote("/seg.ts"))).toMatchObject({ code: 0 });
  });

  it("behind the allow-list, stops a remote playlist from reading a local file", async () => {
    const result = await run(withoutFormats(remote("/file.m3u8")));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Protocol 'file' not on whitelist 'http,https,tcp,tls,httpproxy'");
  });

  it("behind the allow-list, stops a local playlist from reaching the network", async () => {
    const result = await run(withoutFormats(local("local-http.m3u8")));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Protocol 'http' not on whitelist 'file,pipe'");
  });

  it("opens no other scheme, whatever the input says", async () => {
    const dataUrl = `data:video/mp2t;base64,${segmentBase64}`;
    const concatUrl = `concat:${join(dir, "secret.ts")}|${join(dir, "secret.ts")}`;
    for (const url of [dataUrl, concatUrl]) {
      expect(await run(["-i", url]), "control: ffmpeg opens it by default").toMatchObject({ code: 0 });
      expect((await run(argsOf(url))).code).not.toBe(0);
    }
  });

  it("refuses to follow a redirect that the SSRF check never saw", async () => {
    expect(await run(["-i", `${origin}/redirect.ts`])).toMatchObject({ code: 0 });
    expect((await run(remote("/redirect.ts"))).code).not.toBe(0);
  });
});
