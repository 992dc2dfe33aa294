// Test support: an ffmpeg whose GPU breaks at run time. Asked for h264_nvenc it fails the way NVENC does
// when the driver goes away mid-encode; asked for anything else it is the real ffmpeg. Every call's
// arguments are recorded, so a test can tell which encoder really ran.
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface BrokenGpuFfmpeg {
  /** Give it as FFMPEG_PATH (or the encoder's ffmpegPath). */
  readonly path: string;
  /** The argument lists it was called with, in order, each joined by spaces. */
  calls(): Promise<string[]>;
}

const quoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

export async function writeBrokenGpuFfmpeg(dir: string): Promise<BrokenGpuFfmpeg> {
  const path = join(dir, "ffmpeg-broken-gpu");
  const log = join(dir, "ffmpeg-broken-gpu.calls");
  const realFfmpeg = process.env.FFMPEG_PATH ?? "ffmpeg";
  await writeFile(log, "");
  await writeFile(
    path,
    `#!/bin/sh
printf '%s\\n' "$*" >> ${quoted(log)}
case "$*" in
  *h264_nvenc*)
    echo '[h264_nvenc @ 0x5581c0e4c2c0] Failed locking bitstream buffer: generic error (20)' >&2
    echo 'Error submitting video frame to the encoder' >&2
    echo 'Conversion failed!' >&2
    exit 1 ;;
esac
exec ${quoted(realFfmpeg)} "$@"
`,
  );
  await chmod(path, 0o755);
  return {
    path,
    calls: async () => (await readFile(log, "utf8")).split("\n").filter((line) => line !== ""),
  };
}
