// HLS AES-128 through a real kernel and a real encode worker: a profile that encrypts its HLS package.
// Every media segment is really encrypted (not an MP4 box until decrypted with the job's key and the
// playlist's IV); ffmpeg plays the package through its playback link, fetching the key from the kernel,
// and fails with a wrong key; the key is answered to the link's grant and to a bearer, refused to anyone
// else and to a grant asking for another job's key.
import { execFile } from "node:child_process";
import { createDecipheriv } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessPlatform, startInProcessPlatform } from "../../test/support/inProcessPlatform.ts";
import { kernelApi, until } from "../../test/support/kernelApi.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { loadConfig } from "./platformConfig.ts";
import type { Kernel } from "./startKernel.ts";

const run = promisify(execFile);
const ffmpeg = process.env.FFMPEG_PATH ?? "ffmpeg";

let database: TestDatabase;
let platform: InProcessPlatform;
let kernel: Kernel;
let dir: string;
let headers: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-hls-aes-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await run(ffmpeg, [
    ...["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=6"],
    ...["-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=6", "-shortest"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", join(dir, "media", "clip.mp4")],
  ]);
  database = await createTestDatabase("hls_encryption");
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media"), workers: "1" },
    { WEBENCODE_HEARTBEAT_MS: "500" },
  );
  platform = await startInProcessPlatform(config, database.url);
  ({ kernel, headers } = platform);
}, 90_000);
afterAll(async () => {
  await platform?.stop();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const api = kernelApi(
  () => kernel.url,
  () => headers,
);

const encryptedProfile = {
  id: "small_hls_aes",
  name: "Small encrypted HLS",
  description: "One small rendition, HLS with AES-128",
  video: {
    codec: "h264",
    max_width: 320,
    max_height: 180,
    bitrate_kbps: 300,
    maxrate_kbps: 330,
    bufsize_kbps: 600,
    preset: "ultrafast",
    max_fps: 25,
    keyframe_interval_sec: 2,
  },
  audio: { codec: "aac", bitrate_kbps: 64, sample_rate: 48000, channels: 2 },
  container: "mp4",
  hardware: "off",
  packaging: { hls: true, dash: true, segment_sec: 2, encryption: "aes-128" },
  ladder: [],
  thumbnails: null,
  subtitles: "none",
  max_attempts: 2,
};

const boxTypes = new Set(["styp", "moof", "sidx", "ftyp", "moov", "prft", "emsg"]);
const boxType = (bytes: Buffer) => bytes.subarray(4, 8).toString("latin1");

describe("an HLS package encrypted with AES-128", () => {
  it("is encrypted segment by segment, plays with the key the kernel serves, and the key goes only to the authorised", async () => {
    expect((await api("POST", "/v1/profiles", encryptedProfile)).status).toBe(201);
    const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://clip.mp4",
      profile: "small_hls_aes",
    });
    expect(submitted.status).toBe(201);
    const jobId = submitted.body.id;
    const done = await until(
      () => api<{ status: string; error: unknown }>("GET", `/v1/jobs/${jobId}`),
      (r) => ["completed", "failed", "cancelled"].includes(r.body.status),
      "the encrypted job done",
      120_000,
    );
    expect(done.body.error).toBeNull();
    expect(done.body.status).toBe("completed");
    const { body } = await api<{ outputs: { name: string; download_url: string }[] }>(
      "GET",
      `/v1/jobs/${jobId}/outputs`,
    );
    const names = body.outputs.map((o) => o.name);
    // HLS only: a DASH manifest over encrypted segments would not play; no key file among the outputs
    expect(names).toContain("package/master.m3u8");
    expect(names).not.toContain("package/manifest.mpd");
    expect(names.some((name) => name.includes("key"))).toBe(false);

    const masterUrl = body.outputs.find((o) => o.name === "package/master.m3u8")!.download_url;
    const master = await (await fetch(masterUrl)).text();
    const videoPlaylistUrl = new URL(/^(video\/\S+\.m3u8)$/m.exec(master)![1]!, masterUrl);
    const playlist = await (await fetch(videoPlaylistUrl)).text();
    const keyLine = /#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)",IV=0x([0-9a-f]{32})/.exec(playlist);
    expect(keyLine?.[1]).toBe(`../../keys/${jobId}.key`);
    const keyUrl = new URL(keyLine![1]!, videoPlaylistUrl);

    // the key through the playback link's grant, and to a bearer with read rights: the same 16 bytes
    const granted = await fetch(keyUrl);
    expect(granted.status).toBe(200);
    expect(granted.headers.get("cache-control")).toBe("no-store");
    const key = Buffer.from(await granted.arrayBuffer());
    expect(key).toHaveLength(16);
    const bearer = await fetch(`${kernel.url}/v1/jobs/${jobId}/hls-key`, { headers });
    expect(Buffer.from(await bearer.arrayBuffer())).toEqual(key);

    // every media segment is ciphertext, and an fMP4 box once decrypted with that key and the IV
    const segments = [...playlist.matchAll(/^(seg\S+)$/gm)].map((m) => m[1]!);
    expect(segments.length).toBeGreaterThanOrEqual(3);
    for (const segment of segments) {
      const bytes = Buffer.from(await (await fetch(new URL(segment, videoPlaylistUrl))).arrayBuffer());
      expect(bytes.length % 16).toBe(0);
      expect(boxTypes.has(boxType(bytes))).toBe(false);
      const decipher = createDecipheriv("aes-128-cbc", key, Buffer.from(keyLine![2]!, "hex"));
      const clear = Buffer.concat([decipher.update(bytes), decipher.final()]);
      expect(boxTypes.has(boxType(clear))).toBe(true);
    }

    // ffmpeg plays the whole package through the link, taking the key from the kernel
    const played = await run(ffmpeg, [
      ...["-hide_banner", "-v", "error", "-i", masterUrl, "-map", "0:v:0", "-f", "framemd5", "-"],
    ]);
    const frames = played.stdout.split("\n").filter((line) => /^0,/.test(line)).length;
    expect(frames).toBeGreaterThanOrEqual(140);
    // the same playlist with the key from a local file plays with the right key, and not with a wrong one
    const framesWithKey = async (bytes: Buffer, name: string) => {
      const keyFile = join(dir, `${name}.key`);
      await writeFile(keyFile, bytes);
      const local = join(dir, `${name}.m3u8`);
      await writeFile(
        local,
        playlist
          .replace(keyLine![1]!, `file:${keyFile}`)
          .replace(/^(seg\S+)$/gm, (uri) => new URL(uri, videoPlaylistUrl).toString())
          .replace(/URI="(init[^"]*)"/, (_, uri: string) => `URI="${new URL(uri, videoPlaylistUrl)}"`),
      );
      return run(ffmpeg, [
        ...["-hide_banner", "-v", "error", "-allowed_extensions", "ALL"],
        ...["-protocol_whitelist", "file,http,tcp,crypto,data", "-i", local, "-f", "framemd5", "-"],
      ]).then(
        (r) => r.stdout.split("\n").filter((line) => /^0,/.test(line)).length,
        () => 0,
      );
    };
    expect(await framesWithKey(key, "right")).toBeGreaterThanOrEqual(140);
    expect(await framesWithKey(Buffer.alloc(16, 7), "wrong")).toBe(0);

    // refused: no bearer, a grant asking for another job's key, a link of another folder, a forged grant
    const anonymous = await fetch(`${kernel.url}/v1/jobs/${jobId}/hls-key`);
    expect(anonymous.status).toBe(401);
    const otherJob = "7d444840-9dc0-11d1-b245-5ffdce74fad2";
    const other = await fetch(new URL(`../../keys/${otherJob}.key`, videoPlaylistUrl));
    expect(other.status).toBe(403);
    const refusal = (await other.json()) as { error: { code: string; details: { hint?: string } } };
    expect(refusal.error.code).toBe("WE-AUTH-003");
    const token = new URL(masterUrl).pathname.split("/")[3]!;
    const forged = token.replace(/\.[^.]+$/, ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    const forgedAnswer = await fetch(`${kernel.url}/v1/play/${forged}/keys/${jobId}.key`);
    expect(forgedAnswer.status).toBe(401);
  }, 180_000);
});
