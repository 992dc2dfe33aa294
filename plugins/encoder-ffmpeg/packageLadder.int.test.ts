import { createDecipheriv } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type LadderInputs,
  makeLadderInputs,
  makeRendition,
} from "../../test/support/packageLadderInputs.ts";
import type { Packaged, PackageRequest } from "../sdk/mediaOutputs.ts";
import { packageLadder } from "./packageLadder.ts";
import { runCommand } from "./runCommand.ts";

const config = {
  ffmpegPath: process.env.FFMPEG_PATH ?? "ffmpeg",
  ffprobePath: process.env.FFPROBE_PATH ?? "ffprobe",
};
let dir: string;
let inputs: LadderInputs;
let out: string;
let packaged: Packaged;

const request = (outputDir: string, overrides: Partial<PackageRequest> = {}): PackageRequest => ({
  ...inputs,
  segmentSec: 6,
  hls: true,
  dash: true,
  encryption: null,
  outputDir,
  ...overrides,
});

async function ffprobe(args: readonly string[]): Promise<string> {
  const result = await runCommand(config.ffprobePath, ["-hide_banner", "-v", "error", ...args], {
    timeoutMs: 60_000,
  });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

/** key=value pairs of ffprobe's compact lines of one section. */
function sections(stdout: string, name: string): Record<string, string>[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith(`${name}|`))
    .map((line) =>
      Object.fromEntries(
        line
          .split("|")
          .slice(1)
          .map((pair) => pair.split("=", 2) as [string, string]),
      ),
    );
}

/** The streams of an HLS or DASH input once each (ffprobe lists them again under every program). */
function streamsOf(stdout: string): Record<string, string>[] {
  const byIndex = new Map(sections(stdout, "stream").map((s) => [Number(s.index), s]));
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, s]) => s);
}

/** The attributes of each EXT-X-STREAM-INF / EXT-X-MEDIA line, quoted values unquoted. */
function attributes(line: string): Record<string, string> {
  const list = line.slice(line.indexOf(":") + 1);
  return Object.fromEntries(
    [...list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, "")]),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "package-ladder-"));
  inputs = await makeLadderInputs(dir);
  out = join(dir, "package");
  await mkdir(out);
  const result = await packageLadder(config, request(out));
  if (result._tag !== "Packaged") throw new Error(`packaging failed: ${JSON.stringify(result)}`);
  packaged = result;
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("packageLadder with real ffmpeg and ffprobe", () => {
  it("writes one set of CMAF files that HLS and DASH both reference, every file listed with its role and size", async () => {
    expect(packaged).toMatchObject({
      hlsMaster: "master.m3u8",
      dashManifest: "manifest.mpd",
      segmentCount: 2,
    });
    const onDisk = (await readdir(out, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => relative(out, join(e.parentPath, e.name)).split(sep).join("/"))
      .sort();
    expect(packaged.files.map((f) => f.path).sort()).toEqual(onDisk);
    for (const file of packaged.files) expect(file.sizeBytes).toBe((await stat(join(out, file.path))).size);
    const role = (path: string) => packaged.files.find((f) => f.path === path)?.role;
    expect(role("master.m3u8")).toBe("manifest");
    expect(role("manifest.mpd")).toBe("manifest");
    expect(role("video/360p/playlist.m3u8")).toBe("playlist");
    expect(role("video/360p/init.mp4")).toBe("init");
    expect(role("video/144p/seg_00002.m4s")).toBe("segment");
    expect(role("audio/fra/init.mp4")).toBe("init");
    expect(role("subtitles/eng.vtt")).toBe("subtitle");

    // Every init and segment named by the MPD's templates is a file of the package, and so is each HLS URI.
    const mpd = await readFile(join(out, "manifest.mpd"), "utf8");
    for (const file of packaged.files.filter((f) => f.role === "init" || f.role === "segment")) {
      const [folder] = file.path.split(/\/(?=[^/]+$)/);
      expect(mpd).toContain(
        file.role === "init" ? `initialization="${file.path}"` : `media="${folder}/seg_$Number%05d$.m4s"`,
      );
    }
    for (const playlist of packaged.files.filter((f) => f.path.endsWith(".m3u8"))) {
      const text = await readFile(join(out, playlist.path), "utf8");
      const base = playlist.path.includes("/") ? playlist.path.replace(/\/[^/]+$/, "/") : "";
      const uris = [
        ...text.split("\n").filter((line) => line !== "" && !line.startsWith("#")),
        ...[...text.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]!),
      ];
      for (const uri of uris) {
        expect(uri, "relative URLs only").not.toMatch(/^(\/|[a-z]+:)/);
        expect(onDisk, `${playlist.path} → ${uri}`).toContain(`${base}${uri}`);
      }
    }
  });

  it("writes a master playlist whose every attribute matches what ffprobe reads in the variants", async () => {
    const master = await readFile(join(out, "master.m3u8"), "utf8");
    const lines = master.split("\n");
    expect(lines.slice(0, 3)).toEqual(["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]);

    const variants = lines.flatMap((line, i) =>
      line.startsWith("#EXT-X-STREAM-INF:") ? [{ attrs: attributes(line), uri: lines[i + 1]! }] : [],
    );
    expect(variants.map((v) => v.uri)).toEqual([
      "video/360p/playlist.m3u8",
      "video/240p/playlist.m3u8",
      "video/144p/playlist.m3u8",
    ]);
    for (const { attrs, uri } of variants) {
      const probed = sections(
        await ffprobe([
          "-show_entries",
          "stream=codec_name,profile,level,width,height,avg_frame_rate",
          "-of",
          "compact",
          join(out, uri),
        ]),
        "stream",
      )[0]!;
      expect(Number(attrs.BANDWIDTH)).toBeGreaterThanOrEqual(Number(attrs["AVERAGE-BANDWIDTH"]));
      expect(Number(attrs["AVERAGE-BANDWIDTH"])).toBeGreaterThan(0);
      expect(attrs.RESOLUTION).toBe(`${probed.width}x${probed.height}`);
      const [video, ...audio] = attrs.CODECS!.split(",");
      expect(probed.profile).toBe("High");
      // avc1.PPCCLL: High is profile_idc 100 (0x64), no constraint flags, ffprobe's level is level_idc.
      expect(video).toBe(`avc1.6400${Number(probed.level).toString(16).padStart(2, "0")}`);
      expect(audio).toEqual(["mp4a.40.2", "opus"]);
      expect(attrs["FRAME-RATE"]).toBe("30.000");
      expect(attrs.AUDIO).toBe("aud");
      expect(attrs.SUBTITLES).toBe("subs");
      const variant = packaged.variants.find((v) => uri === `video/${v.name}/playlist.m3u8`)!;
      expect(variant).toMatchObject({
        codecs: video,
        width: Number(probed.width),
        height: Number(probed.height),
        frameRate: 30,
      });
      expect(Number(attrs.BANDWIDTH)).toBe(variant.bandwidth);
    }
    expect(packaged.variants.map((v) => v.bandwidth)).toEqual(
      [...packaged.variants.map((v) => v.bandwidth)].sort((a, b) => b - a),
    );

    const media = lines.filter((line) => line.startsWith("#EXT-X-MEDIA:")).map(attributes);
    expect(media).toEqual([
      {
        TYPE: "AUDIO",
        "GROUP-ID": "aud",
        LANGUAGE: "en",
        NAME: "English",
        DEFAULT: "YES",
        AUTOSELECT: "YES",
        CHANNELS: "2",
        URI: "audio/eng/playlist.m3u8",
      },
      {
        TYPE: "AUDIO",
        "GROUP-ID": "aud",
        LANGUAGE: "fr",
        NAME: "Français 'commentaire' & <b>",
        DEFAULT: "NO",
        AUTOSELECT: "YES",
        CHANNELS: "1",
        URI: "audio/fra/playlist.m3u8",
      },
      {
        TYPE: "SUBTITLES",
        "GROUP-ID": "subs",
        LANGUAGE: "en",
        NAME: "English",
        DEFAULT: "NO",
        AUTOSELECT: "YES",
        FORCED: "NO",
        URI: "subtitles/eng.m3u8",
      },
      {
        TYPE: "SUBTITLES",
        "GROUP-ID": "subs",
        LANGUAGE: "fr",
        NAME: "Français",
        DEFAULT: "NO",
        AUTOSELECT: "YES",
        FORCED: "NO",
        URI: "subtitles/fra.m3u8",
      },
    ]);
    const subtitlePlaylist = await readFile(join(out, "subtitles/eng.m3u8"), "utf8");
    expect(subtitlePlaylist).toMatch(/#EXTINF:12\.\d+,\neng\.vtt\n/);

    // ffprobe opens the whole master: both audio tracks with their languages and every variant.
    const streams = streamsOf(
      await ffprobe([
        "-show_entries",
        "stream=index,codec_type,codec_name,width,height:stream_tags=language",
        "-of",
        "compact",
        join(out, "master.m3u8"),
      ]),
    );
    expect(
      streams
        .filter((s) => s.codec_type === "video")
        .map((s) => `${s.width}x${s.height}`)
        .sort(),
    ).toEqual(["256x144", "426x240", "640x360"]);
    expect(
      streams.filter((s) => s.codec_type === "audio").map((s) => `${s.codec_name}:${s["tag:language"]}`),
    ).toEqual(["aac:en", "opus:fr"]);
  });

  it("starts every segment of every rendition with a keyframe at the same time", async () => {
    const firstPackets: string[][] = [];
    for (const name of ["360p", "240p", "144p"]) {
      const perSegment: string[] = [];
      for (const segment of ["seg_00001.m4s", "seg_00002.m4s"]) {
        const folder = join(out, "video", name);
        const stdout = await ffprobe([
          "-show_entries",
          "packet=pts_time,flags",
          "-read_intervals",
          "%+#1",
          "-of",
          "compact",
          `concat:${join(folder, "init.mp4")}|${join(folder, segment)}`,
        ]);
        const [first] = sections(stdout, "packet");
        expect(first?.flags, `${name} ${segment}`).toMatch(/^K/);
        perSegment.push(first!.pts_time!);
      }
      firstPackets.push(perSegment);
    }
    expect(firstPackets[1]).toEqual(firstPackets[0]);
    expect(firstPackets[2]).toEqual(firstPackets[0]);
    expect(Number(firstPackets[0]![1]) - Number(firstPackets[0]![0])).toBeCloseTo(6, 3);
  });

  it("writes a well-formed DASH manifest that ffprobe opens with every track and the right duration", async () => {
    const lint = await runCommand("xmllint", ["--noout", join(out, "manifest.mpd")], { timeoutMs: 10_000 });
    expect(lint.spawnError).toBeNull();
    expect(lint.exitCode, lint.stderr).toBe(0);
    const mpd = await readFile(join(out, "manifest.mpd"), "utf8");
    expect(mpd).toContain('type="static"');
    const duration = Number(/mediaPresentationDuration="PT([\d.]+)S"/.exec(mpd)?.[1]);
    expect(duration).toBeGreaterThanOrEqual(12);
    expect(duration).toBeLessThan(12.2);
    expect(mpd.match(/<AdaptationSet /g)).toHaveLength(5);
    expect(mpd).toMatch(/<AdaptationSet [^>]*contentType="audio"[^>]*lang="en"/);
    expect(mpd).toMatch(/<AdaptationSet [^>]*contentType="audio"[^>]*lang="fr"/);
    expect(mpd).toMatch(/<AdaptationSet [^>]*mimeType="text\/vtt"[^>]*lang="fr"/);
    expect(mpd).toContain('<Label>Français "commentaire" &amp; &lt;b&gt;</Label>');
    for (const v of packaged.variants) {
      expect(mpd).toMatch(
        new RegExp(
          `<Representation id="${v.name}" bandwidth="\\d+" codecs="${v.codecs}" width="${v.width}" height="${v.height}" frameRate="30"`,
        ),
      );
    }

    // The dash demuxer refuses .vtt unless told; what it reads is the package's own files.
    const streams = streamsOf(
      await ffprobe([
        "-allowed_extensions",
        "ALL",
        "-show_entries",
        "stream=index,codec_type,codec_name,width,height:format=duration",
        "-of",
        "compact",
        join(out, "manifest.mpd"),
      ]),
    );
    expect(streams.map((s) => s.codec_name)).toEqual([
      "h264",
      "h264",
      "h264",
      "aac",
      "opus",
      "webvtt",
      "webvtt",
    ]);
  });

  it("rejects a rendition whose keyframes are on another grid, naming it and the time", async () => {
    // Keyframes every 3 s against 2 s: with 4 s segments one ladder cuts at 4 s, the other at 6 s.
    const misaligned = await makeRendition(dir, "misaligned", {
      width: 426,
      height: 240,
      durationSec: 12,
      keyframeSec: 3,
      bitrateK: 400,
    });
    const target = join(dir, "misaligned-package");
    await mkdir(target);
    const result = await packageLadder(
      config,
      request(target, {
        renditions: [inputs.renditions[0]!, misaligned],
        segmentSec: 4,
        audio: [],
        subtitles: [],
      }),
    );
    expect(result).toMatchObject({
      _tag: "PackageRejected",
      check: "keyframes_misaligned",
      message: "rendition misaligned: segment 2 starts at 6.000 s, 360p's at 4.000 s",
    });
  });

  it("encrypts every segment with AES-128 for HLS, with the key URI and IV in the playlists, and makes no DASH", async () => {
    const key = {
      keyUri: "https://keys.example/k/1?sig=a&b=c",
      keyHex: "00112233445566778899aabbccddeeff",
      ivHex: "0f0e0d0c0b0a09080706050403020100",
    };
    const target = join(dir, "encrypted-package");
    await mkdir(target);
    const result = await packageLadder(config, request(target, { encryption: key, subtitles: [] }));
    expect(result).toMatchObject({ _tag: "Packaged", hlsMaster: "master.m3u8", dashManifest: null });
    if (result._tag !== "Packaged") return;
    expect(result.files.map((f) => f.path)).not.toContain("manifest.mpd");
    const playlist = await readFile(join(target, "video/240p/playlist.m3u8"), "utf8");
    expect(playlist).toContain(`#EXT-X-KEY:METHOD=AES-128,URI="${key.keyUri}",IV=0x${key.ivHex}`);
    expect(playlist.indexOf("#EXT-X-MAP")).toBeLessThan(playlist.indexOf("#EXT-X-KEY"));
    expect(await readFile(join(target, "audio/eng/playlist.m3u8"), "utf8")).toContain(
      "#EXT-X-KEY:METHOD=AES-128",
    );

    const folder = join(target, "video/240p");
    const sealed = await readFile(join(folder, "seg_00002.m4s"));
    const clear = await readFile(join(out, "video/240p/seg_00002.m4s"));
    expect(sealed.equals(clear)).toBe(false);
    const decipher = createDecipheriv(
      "aes-128-cbc",
      Buffer.from(key.keyHex, "hex"),
      Buffer.from(key.ivHex, "hex"),
    );
    const opened = Buffer.concat([decipher.update(sealed), decipher.final()]);
    expect(opened.equals(clear)).toBe(true);
    await writeFile(join(folder, "opened.m4s"), opened);
    const [first] = sections(
      await ffprobe([
        "-show_entries",
        "packet=flags",
        "-read_intervals",
        "%+#1",
        "-of",
        "compact",
        `concat:${join(folder, "init.mp4")}|${join(folder, "opened.m4s")}`,
      ]),
      "packet",
    );
    expect(first?.flags).toMatch(/^K/);
  });

  it("answers a cancelled request as cancelled, and an input that is not media or lacks the stream as unreadable", async () => {
    const cancelledDir = join(dir, "cancelled");
    await mkdir(cancelledDir);
    expect(await packageLadder(config, request(cancelledDir, { signal: AbortSignal.abort() }))).toMatchObject(
      {
        _tag: "MediaFailure",
        exitClass: "cancelled",
      },
    );

    const junk = join(dir, "junk.mp4");
    await writeFile(junk, "not a video at all");
    const junkDir = join(dir, "junk");
    await mkdir(junkDir);
    const notMedia = await packageLadder(
      config,
      request(junkDir, {
        renditions: [{ name: "360p", path: junk, codec: "h264" }],
        audio: [],
        subtitles: [],
      }),
    );
    expect(notMedia).toMatchObject({ _tag: "PackageRejected", check: "unreadable" });
    expect(notMedia._tag === "PackageRejected" && notMedia.message).toContain(junk);

    // An audio track given as a rendition has no video stream to cut.
    const audioOnlyDir = join(dir, "audio-only");
    await mkdir(audioOnlyDir);
    expect(
      await packageLadder(
        config,
        request(audioOnlyDir, {
          renditions: [{ name: "360p", path: inputs.audio[0]!.path, codec: "h264" }],
          audio: [],
          subtitles: [],
        }),
      ),
    ).toMatchObject({ _tag: "PackageRejected", check: "unreadable" });

    const notVtt = join(dir, "subs.srt");
    await writeFile(notVtt, "1\n00:00:00,000 --> 00:00:01,000\nHello\n");
    const srtDir = join(dir, "srt");
    await mkdir(srtDir);
    expect(
      await packageLadder(
        config,
        request(srtDir, {
          audio: [],
          subtitles: [{ path: notVtt, language: "en", name: "English", isDefault: false, forced: false }],
        }),
      ),
    ).toMatchObject({
      _tag: "PackageRejected",
      check: "unreadable",
      message: `subtitle ${notVtt} is not a WebVTT file`,
    });
  });

  it("makes DASH alone when HLS is not asked for", async () => {
    const target = join(dir, "dash-only");
    await mkdir(target);
    const result = await packageLadder(config, request(target, { hls: false, subtitles: [] }));
    expect(result).toMatchObject({ _tag: "Packaged", hlsMaster: null, dashManifest: "manifest.mpd" });
    if (result._tag !== "Packaged") return;
    expect(result.files.filter((f) => f.path.endsWith(".m3u8"))).toEqual([]);
    expect(result.files.filter((f) => f.role === "segment")).toHaveLength(2 * 3 + 3 * 2);
  });

  it("makes an audio-only DASH package, one AdaptationSet per audio track and none for video", async () => {
    const target = join(dir, "dash-audio");
    await mkdir(target);
    const result = await packageLadder(
      config,
      request(target, { renditions: [], hls: false, subtitles: [] }),
    );
    expect(result).toMatchObject({ _tag: "Packaged", hlsMaster: null, dashManifest: "manifest.mpd" });
    const mpd = await readFile(join(target, "manifest.mpd"), "utf8");
    expect(mpd.match(/contentType="audio"/g)).toHaveLength(inputs.audio.length);
    expect(mpd).not.toContain('contentType="video"');
    const probed = await ffprobe([
      ...["-show_entries", "stream=index,codec_type", "-of", "compact", join(target, "manifest.mpd")],
    ]);
    expect(streamsOf(probed).map((stream) => stream.codec_type)).toEqual(inputs.audio.map(() => "audio"));
  });

  it("rejects a request that names a rendition twice, asks for no format or carries a malformed key", async () => {
    const target = join(dir, "twice");
    await mkdir(target);
    expect(
      await packageLadder(
        config,
        request(target, { renditions: [inputs.renditions[0]!, inputs.renditions[0]!] }),
      ),
    ).toMatchObject({ _tag: "PackageRejected", check: "invalid_request" });
    expect(await packageLadder(config, request(target, { hls: false, dash: false }))).toMatchObject({
      _tag: "PackageRejected",
      check: "invalid_request",
      message: "neither HLS nor DASH asked for",
    });
    expect(
      await packageLadder(
        config,
        request(target, { encryption: { keyUri: "/k", keyHex: "00", ivHex: "00" } }),
      ),
    ).toMatchObject({ _tag: "PackageRejected", check: "invalid_request" });
  });
});
