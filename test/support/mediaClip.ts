import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A test clip made by ffmpeg's lavfi sources: moving picture, a tone, exact duration. */
export async function makeClip(
  path: string,
  options: { seconds: number; width: number; height: number; audio?: boolean },
) {
  const audio = options.audio ?? true;
  await run("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${options.width}x${options.height}:rate=30:duration=${options.seconds}`,
    ...(audio
      ? ["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${options.seconds}`]
      : []),
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    ...(audio ? ["-c:a", "aac", "-shortest"] : []),
    path,
  ]);
}

export interface ProbedMedia {
  durationSec: number;
  video: { codec: string; width: number; height: number } | null;
  audio: { codec: string } | null;
}

export async function probe(path: string): Promise<ProbedMedia> {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-show_format",
    "-show_streams",
    "-of",
    "json",
    path,
  ]);
  const info = JSON.parse(stdout) as {
    format: { duration: string };
    streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number }>;
  };
  const video = info.streams.find((s) => s.codec_type === "video");
  const audio = info.streams.find((s) => s.codec_type === "audio");
  return {
    durationSec: Number(info.format.duration),
    video: video ? { codec: video.codec_name, width: video.width!, height: video.height! } : null,
    audio: audio ? { codec: audio.codec_name } : null,
  };
}
