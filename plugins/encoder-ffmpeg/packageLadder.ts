// Packages an encoded ladder for adaptive streaming: every rendition and audio track cut into CMAF
// segments once, then HLS playlists and a DASH manifest over those same files. Nothing is answered
// before ffprobe has read every segment back and found the renditions cut on the same keyframes.
import { createCipheriv } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import type {
  MediaFailure,
  Packaged,
  PackagedFileRole,
  PackagedVariant,
  PackageRejected,
  PackageRequest,
} from "../sdk/mediaOutputs.ts";
import { dashManifest } from "./dashManifest.ts";
import { hlsMasterPlaylist } from "./hlsMasterPlaylist.ts";
import { hlsMediaPlaylist } from "./hlsMediaPlaylist.ts";
import { packageAlignment } from "./packageAlignment.ts";
import { packageBandwidth } from "./packageBandwidth.ts";
import { packageLanguage } from "./packageLanguage.ts";
import { packageProbe } from "./packageProbe.ts";
import type { TrackTimeline } from "./packageTimeline.ts";
import { packageTrack, SEGMENT_PATTERN } from "./packageTrack.ts";
import { rationalValue } from "./rationalValue.ts";
import { rfc6381Codec } from "./rfc6381Codec.ts";

export interface PackageLadderConfig {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
}

interface Track {
  readonly dir: string;
  readonly init: string;
  readonly timeline: TrackTimeline;
  readonly codecs: string;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const HEX128 = /^[0-9a-fA-F]{32}$/;

export async function packageLadder(
  config: PackageLadderConfig,
  request: PackageRequest,
): Promise<Packaged | PackageRejected | MediaFailure> {
  const invalid = checkRequest(request);
  if (invalid !== null) return invalid;
  const { outputDir, signal } = request;

  const cut = async (input: string, stream: "video" | "audio", dir: string): Promise<Track | Failure> => {
    const files = await packageTrack({
      ffmpegPath: config.ffmpegPath,
      input,
      stream,
      outputDir,
      dir,
      segmentSec: request.segmentSec,
      ...(signal === undefined ? {} : { signal }),
    });
    if (files._tag === "InputFault")
      return rejected(
        "unreadable",
        files.message,
        "Check that the file is a playable MP4/WebM with that stream.",
      );
    if (files._tag === "MediaFailure") return files;
    const timeline = await packageProbe(
      config.ffprobePath,
      outputDir,
      [files.init, ...files.segments],
      signal,
    );
    if (signal?.aborted) return cancelled();
    if (typeof timeline === "string")
      return rejected(
        "packager_failed",
        `${dir}: ${timeline}`,
        "The packaged segments could not be read back; see the message.",
      );
    const codecs = rfc6381Codec(await readFile(join(outputDir, files.init)));
    if (codecs === null) {
      return rejected(
        "packager_failed",
        `${dir}: no RFC 6381 codecs string for ${timeline.stream.codecName}`,
        "Package H.264, HEVC, AV1 or VP9 video and AAC or Opus audio.",
      );
    }
    return { dir, init: files.init, timeline, codecs };
  };

  const video: (Track & { readonly name: string })[] = [];
  for (const rendition of request.renditions) {
    const track = await cut(rendition.path, "video", `video/${rendition.name}`);
    if ("_tag" in track) return track;
    video.push({ ...track, name: rendition.name });
  }
  // Top first: players and the alignment check both take the first as the reference.
  video.sort(
    (a, b) =>
      (b.timeline.stream.width ?? 0) * (b.timeline.stream.height ?? 0) -
        (a.timeline.stream.width ?? 0) * (a.timeline.stream.height ?? 0) ||
      packageBandwidth(b.timeline).peak - packageBandwidth(a.timeline).peak,
  );
  const misaligned = packageAlignment(video);
  if (misaligned !== null) {
    return rejected(
      "keyframes_misaligned",
      misaligned.message,
      "Encode every rendition with keyframes on the same fixed grid (e.g. every 2 s, scene-cut keyframes off).",
    );
  }

  const audioDirs = folderNames(request.audio.map((a, i) => a.language ?? `track${i + 1}`));
  const audio: Track[] = [];
  for (const [i, track] of request.audio.entries()) {
    const packaged = await cut(track.path, "audio", `audio/${audioDirs[i]!}`);
    if ("_tag" in packaged) return packaged;
    audio.push(packaged);
  }

  const subtitleNames = folderNames(request.subtitles.map((s, i) => s.language ?? `subtitle${i + 1}`));
  const subtitleFiles = subtitleNames.map((name) => `subtitles/${name}.vtt`);
  for (const [i, subtitle] of request.subtitles.entries()) {
    const head = await readFile(subtitle.path, "utf8").catch(() => null);
    if (head === null || !/^(\uFEFF)?WEBVTT(\s|$)/.test(head)) {
      return rejected(
        "unreadable",
        `subtitle ${subtitle.path} is not a WebVTT file`,
        "Give subtitles as WebVTT (they start with WEBVTT).",
      );
    }
    await mkdir(join(outputDir, "subtitles"), { recursive: true });
    await copyFile(subtitle.path, join(outputDir, subtitleFiles[i]!));
  }

  if (request.encryption !== null) {
    const { keyHex, ivHex } = request.encryption;
    for (const track of [...video, ...audio]) {
      for (const segment of track.timeline.segments)
        await encryptFile(join(outputDir, segment.path), keyHex, ivHex);
    }
  }
  // Sizes as served (encryption pads every segment), for the bandwidth figures players pick by.
  const sized = async (track: Track): Promise<Track> => ({
    ...track,
    timeline: {
      ...track.timeline,
      segments: await Promise.all(
        track.timeline.segments.map(async (s) => ({
          ...s,
          sizeBytes: (await stat(join(outputDir, s.path))).size,
        })),
      ),
    },
  });
  const servedVideo = await Promise.all(video.map(async (v) => ({ ...(await sized(v)), name: v.name })));
  const servedAudio = await Promise.all(audio.map(sized));

  const defaultAudioIndex = Math.max(
    0,
    request.audio.findIndex((a) => a.isDefault),
  );
  const defaultAudio = servedAudio[defaultAudioIndex];
  const audioBandwidth =
    defaultAudio === undefined ? { peak: 0, average: 0 } : packageBandwidth(defaultAudio.timeline);
  const audioCodecs = [...new Set(servedAudio.map((a) => a.codecs))];
  const variants: PackagedVariant[] = servedVideo.map((v) => {
    const own = packageBandwidth(v.timeline);
    return {
      name: v.name,
      bandwidth: Math.ceil(own.peak + audioBandwidth.peak),
      averageBandwidth: Math.ceil(own.average + audioBandwidth.average),
      codecs: v.codecs,
      width: v.timeline.stream.width ?? 0,
      height: v.timeline.stream.height ?? 0,
      frameRate: rationalValue(v.timeline.stream.frameRate ?? ""),
    };
  });

  const seconds = (track: Track) =>
    track.timeline.segments.map((s) => ({
      uri: posix.basename(s.path),
      durationSec: (s.endPts - s.startPts) / track.timeline.timescale,
    }));
  const endSec = (track: Track) => (track.timeline.segments.at(-1)?.endPts ?? 0) / track.timeline.timescale;
  const durationSec = Math.max(...[...servedVideo, ...servedAudio].map(endSec));

  if (request.hls) {
    const key =
      request.encryption === null
        ? null
        : { uri: request.encryption.keyUri, ivHex: request.encryption.ivHex };
    for (const track of [...servedVideo, ...servedAudio]) {
      await writeFile(
        join(outputDir, track.dir, "playlist.m3u8"),
        hlsMediaPlaylist({ init: posix.basename(track.init), segments: seconds(track), key }),
      );
    }
    for (const name of subtitleNames) {
      await writeFile(
        join(outputDir, "subtitles", `${name}.m3u8`),
        hlsMediaPlaylist({ init: null, segments: [{ uri: `${name}.vtt`, durationSec }], key: null }),
      );
    }
    await writeFile(
      join(outputDir, "master.m3u8"),
      hlsMasterPlaylist({
        variants: variants.map((v, i) => ({
          ...v,
          uri: `${servedVideo[i]!.dir}/playlist.m3u8`,
          codecs: [v.codecs, ...audioCodecs].join(","),
        })),
        audio: request.audio.map((a, i) => ({
          uri: `${servedAudio[i]!.dir}/playlist.m3u8`,
          language: packageLanguage(a.language),
          name: a.name,
          isDefault: i === defaultAudioIndex,
          channels: servedAudio[i]!.timeline.stream.channels,
        })),
        subtitles: request.subtitles.map((s, i) => ({
          uri: `subtitles/${subtitleNames[i]!}.m3u8`,
          language: packageLanguage(s.language),
          name: s.name,
          isDefault: s.isDefault,
          forced: s.forced,
        })),
      }),
    );
  }

  const makeDash = request.dash && request.encryption === null;
  if (makeDash) {
    const timed = (track: Track, id: string) => ({
      id,
      bandwidth: packageBandwidth(track.timeline).peak,
      codecs: track.codecs,
      timescale: track.timeline.timescale,
      initialization: track.init,
      media: `${track.dir}/${SEGMENT_PATTERN.dash}`,
      startNumber: SEGMENT_PATTERN.first,
      segments: track.timeline.segments,
    });
    await writeFile(
      join(outputDir, "manifest.mpd"),
      dashManifest({
        durationSec,
        maxSegmentSec: Math.max(
          ...[...servedVideo, ...servedAudio].flatMap((t) => seconds(t).map((s) => s.durationSec)),
        ),
        video: servedVideo.map((v, i) => ({
          ...timed(v, v.name),
          width: variants[i]!.width,
          height: variants[i]!.height,
          frameRate: (v.timeline.stream.frameRate ?? "").replace(/\/1$/, ""),
        })),
        audio: request.audio.map((a, i) => ({
          ...timed(servedAudio[i]!, `audio-${audioDirs[i]!}`),
          language: packageLanguage(a.language),
          name: a.name,
          isDefault: i === defaultAudioIndex,
          channels: servedAudio[i]!.timeline.stream.channels,
          sampleRate: servedAudio[i]!.timeline.stream.sampleRate,
        })),
        subtitles: request.subtitles.map((s, i) => ({
          id: `text-${subtitleNames[i]!}`,
          url: subtitleFiles[i]!,
          language: packageLanguage(s.language),
          name: s.name,
          isDefault: s.isDefault,
          forced: s.forced,
        })),
      }),
    );
  }

  return {
    _tag: "Packaged",
    hlsMaster: request.hls ? "master.m3u8" : null,
    dashManifest: makeDash ? "manifest.mpd" : null,
    variants,
    files: await listFiles(outputDir),
    segmentCount: servedVideo[0]?.timeline.segments.length ?? 0,
  };
}

type Failure = PackageRejected | MediaFailure;

function checkRequest(request: PackageRequest): PackageRejected | null {
  const names = request.renditions.map((r) => r.name);
  const badName = names.find((n) => !NAME.test(n));
  const key = request.encryption;
  const problems = [
    request.renditions.length === 0 && "no renditions to package",
    badName !== undefined && `rendition name ${JSON.stringify(badName)} is not letters, digits, "_" and "-"`,
    new Set(names).size !== names.length && `a rendition is listed twice (${names.join(", ")})`,
    !(request.segmentSec > 0) && `segment length ${request.segmentSec} s is not positive`,
    !request.hls && !request.dash && "neither HLS nor DASH asked for",
    key !== null &&
      (!HEX128.test(key.keyHex) || !HEX128.test(key.ivHex) || /["\r\n]/.test(key.keyUri)) &&
      "the AES-128 key and IV must be 32 hex digits and the key URI one line without quotes",
  ];
  const problem = problems.find((p): p is string => typeof p === "string");
  return problem === undefined ? null : rejected("invalid_request", problem, "Fix the package request.");
}

/** Folder-safe, unique names: language tags as they are where they can be, numbered when repeated. */
function folderNames(wanted: readonly string[]): string[] {
  const used = new Set<string>();
  return wanted.map((name, i) => {
    let folder = NAME.test(name) ? name : `track${i + 1}`;
    if (used.has(folder)) folder = `${folder}-${i + 1}`;
    used.add(folder);
    return folder;
  });
}

/** HLS AES-128: the whole segment, AES-128-CBC with PKCS7 padding (RFC 8216 4.3.2.4). */
async function encryptFile(path: string, keyHex: string, ivHex: string): Promise<void> {
  const cipher = createCipheriv("aes-128-cbc", Buffer.from(keyHex, "hex"), Buffer.from(ivHex, "hex"));
  const clear = await readFile(path);
  await writeFile(path, Buffer.concat([cipher.update(clear), cipher.final()]));
}

async function listFiles(outputDir: string): Promise<Packaged["files"]> {
  const entries = await readdir(outputDir, { recursive: true, withFileTypes: true });
  const files = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const path = relative(outputDir, join(e.parentPath, e.name)).split(sep).join("/");
        return { path, role: roleOf(path), sizeBytes: (await stat(join(outputDir, path))).size };
      }),
  );
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function roleOf(path: string): PackagedFileRole {
  if (path === "master.m3u8" || path === "manifest.mpd") return "manifest";
  if (path.endsWith(".m3u8")) return "playlist";
  if (path.endsWith("init.mp4")) return "init";
  if (path.endsWith(".vtt")) return "subtitle";
  if (path.endsWith(".key")) return "key";
  return "segment";
}

function rejected(check: PackageRejected["check"], message: string, hint: string): PackageRejected {
  return { _tag: "PackageRejected", check, message, hint };
}

function cancelled(): MediaFailure {
  return { _tag: "MediaFailure", exitClass: "cancelled", message: "packaging cancelled" };
}
