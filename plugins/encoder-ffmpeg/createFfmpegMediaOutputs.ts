// The encoder-ffmpeg plugin's media outputs beyond the encode: thumbnails with poster and storyboard,
// the source's subtitle tracks, an audio encode split per track, and the package of a ladder.
import type { MediaOutputs } from "../sdk/mediaOutputs.ts";
import { demuxAudioTracks } from "./demuxAudioTracks.ts";
import { ffmpegExtractSubtitles, ffmpegSubtitleTracks } from "./ffmpegSubtitles.ts";
import { ffmpegThumbnails } from "./ffmpegThumbnails.ts";
import type { MediaOutputsConfig } from "./mediaOutputsConfig.ts";
import { packageLadder } from "./packageLadder.ts";

export function createFfmpegMediaOutputs(config: Partial<MediaOutputsConfig> = {}): MediaOutputs {
  const resolved: MediaOutputsConfig = {
    ...config,
    ffmpegPath: config.ffmpegPath ?? process.env.FFMPEG_PATH ?? "ffmpeg",
    ffprobePath: config.ffprobePath ?? process.env.FFPROBE_PATH ?? "ffprobe",
  };
  return {
    thumbnails: (request) => ffmpegThumbnails(request, resolved),
    subtitleTracks: (input) => ffmpegSubtitleTracks(input, resolved),
    extractSubtitles: (input, outputDir, signal) =>
      ffmpegExtractSubtitles(input, outputDir, resolved, signal),
    demuxAudioTracks: (input, outputDir, signal) => demuxAudioTracks(resolved, input, outputDir, signal),
    packageLadder: (request) => packageLadder(resolved, request),
  };
}
