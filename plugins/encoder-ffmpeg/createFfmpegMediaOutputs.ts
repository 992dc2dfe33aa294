// The encoder-ffmpeg plugin's media outputs beyond the encode: thumbnails with poster and storyboard,
// and the source's subtitle tracks. Packaging (`packageLadder`) is joined in beside these.
import type { MediaOutputs } from "../sdk/mediaOutputs.ts";
import { ffmpegExtractSubtitles, ffmpegSubtitleTracks } from "./ffmpegSubtitles.ts";
import { ffmpegThumbnails } from "./ffmpegThumbnails.ts";
import type { MediaOutputsConfig } from "./mediaOutputsConfig.ts";

export type FfmpegMediaOutputs = Pick<MediaOutputs, "thumbnails" | "subtitleTracks" | "extractSubtitles">;

export function createFfmpegMediaOutputs(config: Partial<MediaOutputsConfig> = {}): FfmpegMediaOutputs {
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
  };
}
