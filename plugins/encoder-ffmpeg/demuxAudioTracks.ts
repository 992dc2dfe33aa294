// Splits an audio encode of a split job (every track of the source, in one MP4) into one file per track,
// stream copied, keeping each track's language, title and default flag: a package lists each track as
// its own rendition of the audio group.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { DemuxedAudio, MediaFailure } from "../sdk/mediaOutputs.ts";
import { runCommand } from "./runCommand.ts";

export interface DemuxConfig {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly timeoutMs?: number;
}

interface ProbedStream {
  index: number;
  codec_type?: string;
  tags?: { language?: string; title?: string };
  disposition?: { default?: number };
}

const failure = (exitClass: MediaFailure["exitClass"], message: string): MediaFailure => ({
  _tag: "MediaFailure",
  exitClass,
  message,
});

export async function demuxAudioTracks(
  config: DemuxConfig,
  input: string,
  outputDir: string,
  signal?: AbortSignal,
): Promise<readonly DemuxedAudio[] | MediaFailure> {
  const timeoutMs = config.timeoutMs ?? 120_000;
  const probed = await runCommand(
    config.ffprobePath,
    ["-v", "error", "-print_format", "json", "-show_streams", "-select_streams", "a", input],
    { timeoutMs, ...(signal === undefined ? {} : { signal }) },
  );
  if (signal?.aborted) return failure("cancelled", "the demux was cancelled");
  if (probed.exitCode !== 0)
    return failure("input", `the audio encode cannot be read: ${probed.stderr.trim().slice(-500)}`);
  const streams = ((JSON.parse(probed.stdout) as { streams?: ProbedStream[] }).streams ?? []).filter(
    (stream) => stream.codec_type === "audio",
  );
  if (streams.length === 0) return failure("input", "the audio encode holds no audio track");
  await mkdir(outputDir, { recursive: true });
  const tracks = streams.map((stream, order) => ({
    path: join(outputDir, `track-${order}.mp4`),
    language: tagOf(stream.tags?.language),
    title: tagOf(stream.tags?.title),
    isDefault: stream.disposition?.default === 1,
  }));
  const args = ["-hide_banner", "-v", "error", "-y", "-i", input];
  for (const [order, track] of tracks.entries())
    args.push("-map", `0:a:${order}`, "-c", "copy", "-map_metadata", "-1", "-f", "mp4", track.path);
  const demuxed = await runCommand(config.ffmpegPath, args, {
    timeoutMs,
    ...(signal === undefined ? {} : { signal }),
  });
  if (signal?.aborted) return failure("cancelled", "the demux was cancelled");
  if (demuxed.exitCode !== 0)
    return failure(
      "transient",
      `ffmpeg could not split the audio tracks: ${demuxed.stderr.trim().slice(-500)}`,
    );
  return tracks;
}

const tagOf = (value: string | undefined): string | null =>
  value === undefined || value === "" || value === "und" ? null : value;
