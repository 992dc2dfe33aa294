// Packages an encoded ladder for adaptive streaming: every rendition and audio track cut into CMAF
// segments once, then HLS playlists and a DASH manifest over those same files. Nothing is answered
// before ffprobe has read every segment back and found the renditions cut on the same keyframes.
import { createCipheriv } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import type {
  MediaFailure,
  PackageAudio,
  Packaged,
  PackagedFileRole,
  PackagedVariant,
  PackageRejected,
  PackageRequest,
  PackageSubtitle,
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

/** What was cut, in the order it is presented: video top first, audio and subtitles as asked. */
interface Layout {
  readonly video: readonly (Track & { readonly name: string })[];
  readonly audio: readonly (Track & { readonly source: PackageAudio })[];
  readonly subtitles: readonly { readonly source: PackageSubtitle; readonly name: string }[];
  readonly defaultAudio: number;
  readonly durationSec: number;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const HEX128 = /^[0-9a-fA-F]{32}$/;

export async function packageLadder(
  config: PackageLadderConfig,
  request: PackageRequest,
): Promise<Packaged | PackageRejected | MediaFailure> {
  const invalid = checkRequest(request);
  if (invalid !== null) return invalid;
  const { outputDir } = request;

  const video: (Track & { readonly name: string })[] = [];
  for (const rendition of request.renditions) {
    const track = await cutTrack(config, request, rendition.path, "video", `video/${rendition.name}`);
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
  const audio: (Track & { readonly source: PackageAudio })[] = [];
  for (const [i, source] of request.audio.entries()) {
    const track = await cutTrack(config, request, source.path, "audio", `audio/${audioDirs[i]!}`);
    if ("_tag" in track) return track;
    audio.push({ ...track, source });
  }

  const subtitleNames = folderNames(request.subtitles.map((s, i) => s.language ?? `subtitle${i + 1}`));
  for (const [i, subtitle] of request.subtitles.entries()) {
    const text = await readFile(subtitle.path, "utf8").catch(() => null);
    if (text === null || !/^(\uFEFF)?WEBVTT(\s|$)/.test(text)) {
      return rejected(
        "unreadable",
        `subtitle ${subtitle.path} is not a WebVTT file`,
        "Give subtitles as WebVTT (they start with WEBVTT).",
      );
    }
    await mkdir(join(outputDir, "subtitles"), { recursive: true });
    await copyFile(subtitle.path, join(outputDir, `subtitles/${subtitleNames[i]!}.vtt`));
  }

  if (request.encryption !== null) {
    const { keyHex, ivHex } = request.encryption;
    for (const track of [...video, ...audio]) {
      for (const segment of track.timeline.segments) {
        await encryptFile(join(outputDir, segment.path), keyHex, ivHex);
      }
    }
  }
  // Sizes as served (encryption pads every segment), for the bandwidth figures players pick by.
  const served = async <T extends Track>(track: T): Promise<T> => ({
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
  const servedVideo = await Promise.all(video.map(served));
  const servedAudio = await Promise.all(audio.map(served));
  const layout: Layout = {
    video: servedVideo,
    audio: servedAudio,
    subtitles: request.subtitles.map((source, i) => ({ source, name: subtitleNames[i]! })),
    defaultAudio: Math.max(
      0,
      request.audio.findIndex((a) => a.isDefault),
    ),
    durationSec: Math.max(...[...servedVideo, ...servedAudio].map(endSec)),
  };
  const variants = layout.video.length === 0 ? audioVariants(layout) : measureVariants(layout);

  if (request.hls) await writeHls(outputDir, layout, variants, request.encryption);
  // Encrypted segments are for HLS players only: a DASH manifest over them would not play.
  const makeDash = request.dash && request.encryption === null;
  if (makeDash) await writeDash(outputDir, layout, variants);

  return {
    _tag: "Packaged",
    hlsMaster: request.hls ? "master.m3u8" : null,
    dashManifest: makeDash ? "manifest.mpd" : null,
    variants,
    files: await listFiles(outputDir),
    segmentCount: (servedVideo[0] ?? servedAudio[0])?.timeline.segments.length ?? 0,
  };
}

/** One input's stream cut into CMAF, read back by ffprobe, with its codecs string from the init segment. */
async function cutTrack(
  config: PackageLadderConfig,
  request: PackageRequest,
  input: string,
  stream: "video" | "audio",
  dir: string,
): Promise<Track | Failure> {
  const { outputDir, signal } = request;
  const files = await packageTrack({
    ffmpegPath: config.ffmpegPath,
    input,
    stream,
    outputDir,
    dir,
    segmentSec: request.segmentSec,
    ...(signal === undefined ? {} : { signal }),
  });
  if (files._tag === "InputFault") {
    return rejected(
      "unreadable",
      files.message,
      "Check that the file is a playable MP4/WebM with that stream.",
    );
  }
  if (files._tag === "MediaFailure") return files;
  const timeline = await packageProbe(config.ffprobePath, outputDir, [files.init, ...files.segments], signal);
  if (signal?.aborted)
    return { _tag: "MediaFailure", exitClass: "cancelled", message: "packaging cancelled" };
  if (typeof timeline === "string") {
    return rejected(
      "packager_failed",
      `${dir}: ${timeline}`,
      "The packaged segments could not be read back; see the message.",
    );
  }
  const codecs = rfc6381Codec(await readFile(join(outputDir, files.init)));
  if (codecs === null) {
    return rejected(
      "packager_failed",
      `${dir}: no RFC 6381 codecs string for ${timeline.stream.codecName}`,
      "Package H.264, HEVC, AV1 or VP9 video and AAC or Opus audio.",
    );
  }
  return { dir, init: files.init, timeline, codecs };
}

/**
 * An audio-only package (a podcast, music): one variant, the default track, which players pick as the
 * stream itself; no frame size or rate.
 */
function audioVariants(layout: Layout): PackagedVariant[] {
  const track = layout.audio[layout.defaultAudio];
  if (track === undefined) return [];
  const figures = packageBandwidth(track.timeline);
  return [
    {
      name: posix.basename(track.dir),
      bandwidth: Math.ceil(figures.peak),
      averageBandwidth: Math.ceil(figures.average),
      codecs: track.codecs,
      width: 0,
      height: 0,
      frameRate: 0,
    },
  ];
}

/** Each rendition's figures with the default audio track added, as HLS BANDWIDTH wants them. */
function measureVariants(layout: Layout): PackagedVariant[] {
  const defaultAudio = layout.audio[layout.defaultAudio];
  const audio =
    defaultAudio === undefined ? { peak: 0, average: 0 } : packageBandwidth(defaultAudio.timeline);
  return layout.video.map((v) => {
    const own = packageBandwidth(v.timeline);
    return {
      name: v.name,
      bandwidth: Math.ceil(own.peak + audio.peak),
      averageBandwidth: Math.ceil(own.average + audio.average),
      codecs: v.codecs,
      width: v.timeline.stream.width ?? 0,
      height: v.timeline.stream.height ?? 0,
      frameRate: rationalValue(v.timeline.stream.frameRate ?? ""),
    };
  });
}

async function writeHls(
  outputDir: string,
  layout: Layout,
  variants: readonly PackagedVariant[],
  encryption: PackageRequest["encryption"],
): Promise<void> {
  const key = encryption === null ? null : { uri: encryption.keyUri, ivHex: encryption.ivHex };
  for (const track of [...layout.video, ...layout.audio]) {
    await writeFile(
      join(outputDir, track.dir, "playlist.m3u8"),
      hlsMediaPlaylist({ init: posix.basename(track.init), segments: segmentSeconds(track), key }),
    );
  }
  for (const { name } of layout.subtitles) {
    await writeFile(
      join(outputDir, "subtitles", `${name}.m3u8`),
      hlsMediaPlaylist({
        init: null,
        segments: [{ uri: `${name}.vtt`, durationSec: layout.durationSec }],
        key: null,
      }),
    );
  }
  const audioCodecs = [...new Set(layout.audio.map((a) => a.codecs))];
  // Audio alone: the default track is the variant; the others, when there are, its alternatives.
  const audioOnly = layout.video.length === 0;
  const alternatives = audioOnly && layout.audio.length === 1 ? [] : layout.audio;
  await writeFile(
    join(outputDir, "master.m3u8"),
    hlsMasterPlaylist({
      variants: variants.map((v, i) => ({
        ...v,
        uri: `${(audioOnly ? layout.audio[layout.defaultAudio] : layout.video[i])!.dir}/playlist.m3u8`,
        codecs: audioOnly ? audioCodecs.join(",") : [v.codecs, ...audioCodecs].join(","),
      })),
      audio: alternatives.map((a, i) => ({
        uri: `${a.dir}/playlist.m3u8`,
        language: packageLanguage(a.source.language),
        name: a.source.name,
        isDefault: i === layout.defaultAudio,
        channels: a.timeline.stream.channels,
      })),
      subtitles: layout.subtitles.map(({ source, name }) => ({
        uri: `subtitles/${name}.m3u8`,
        language: packageLanguage(source.language),
        name: source.name,
        isDefault: source.isDefault,
        forced: source.forced,
      })),
    }),
  );
}

async function writeDash(
  outputDir: string,
  layout: Layout,
  variants: readonly PackagedVariant[],
): Promise<void> {
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
  const tracks = [...layout.video, ...layout.audio];
  await writeFile(
    join(outputDir, "manifest.mpd"),
    dashManifest({
      durationSec: layout.durationSec,
      maxSegmentSec: Math.max(...tracks.flatMap((t) => segmentSeconds(t).map((s) => s.durationSec))),
      video: layout.video.map((v, i) => ({
        ...timed(v, v.name),
        width: variants[i]!.width,
        height: variants[i]!.height,
        frameRate: (v.timeline.stream.frameRate ?? "").replace(/\/1$/, ""),
      })),
      audio: layout.audio.map((a, i) => ({
        ...timed(a, `audio-${posix.basename(a.dir)}`),
        language: packageLanguage(a.source.language),
        name: a.source.name,
        isDefault: i === layout.defaultAudio,
        channels: a.timeline.stream.channels,
        sampleRate: a.timeline.stream.sampleRate,
      })),
      subtitles: layout.subtitles.map(({ source, name }) => ({
        id: `text-${name}`,
        url: `subtitles/${name}.vtt`,
        language: packageLanguage(source.language),
        name: source.name,
        isDefault: source.isDefault,
        forced: source.forced,
      })),
    }),
  );
}

const segmentSeconds = (track: Track) =>
  track.timeline.segments.map((s) => ({
    uri: posix.basename(s.path),
    durationSec: (s.endPts - s.startPts) / track.timeline.timescale,
  }));

const endSec = (track: Track) => (track.timeline.segments.at(-1)?.endPts ?? 0) / track.timeline.timescale;

type Failure = PackageRejected | MediaFailure;

function checkRequest(request: PackageRequest): PackageRejected | null {
  const names = request.renditions.map((r) => r.name);
  const badName = names.find((n) => !NAME.test(n));
  const key = request.encryption;
  const problems = [
    request.renditions.length === 0 && request.audio.length === 0 && "no renditions to package",
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
