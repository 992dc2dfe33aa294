// The encoder-ffmpeg settings of plugins.toml (checked against plugin.toml's config_schema) as encoder options.
import type { FfmpegEncoderOptions } from "./createFfmpegEncoder.ts";

export function ffmpegPluginConfig(
  config: Record<string, unknown>,
): Pick<FfmpegEncoderOptions, "ffmpegPath" | "ffprobePath" | "threads"> {
  return {
    ...(typeof config.threads === "number" && config.threads > 0 ? { threads: config.threads } : {}),
    ...(typeof config.ffmpeg_path === "string" ? { ffmpegPath: config.ffmpeg_path } : {}),
    ...(typeof config.ffprobe_path === "string" ? { ffprobePath: config.ffprobe_path } : {}),
  };
}
