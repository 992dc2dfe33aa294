// What ffprobe says about a file, read independently of the code under test.
import { runCommand } from "../../plugins/encoder-ffmpeg/runCommand.ts";

export interface InspectedStream {
  readonly codec_type: string;
  readonly codec_name: string;
  readonly width?: number;
  readonly height?: number;
  readonly r_frame_rate?: string;
  readonly avg_frame_rate?: string;
  readonly nb_frames?: string;
  readonly channels?: number;
  readonly sample_rate?: string;
  readonly side_data_list?: readonly { readonly rotation?: number }[];
}

export interface InspectedMedia {
  readonly streams: readonly InspectedStream[];
  readonly format: { readonly duration: string };
}

export async function inspectMedia(path: string): Promise<InspectedMedia> {
  const result = await runCommand(
    process.env.FFPROBE_PATH ?? "ffprobe",
    ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
    { timeoutMs: 30_000 },
  );
  if (result.exitCode !== 0) throw new Error(`ffprobe ${path}: ${result.stderr}`);
  return JSON.parse(result.stdout) as InspectedMedia;
}
