// Test support: an ffmpeg that proves its encoders like any other (listings and one-frame probes pass
// through to the real one) and then fails every task encode (the calls that ask for -progress), so a
// worker running it fails attempt after attempt: as a broken libx264 does, or as the OOM killer ends it.
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";

const failures = {
  encoderFailsToOpen: `    echo "[libx264 @ 0x5581] Error while opening encoder for output stream #0:0" >&2
    echo "Conversion failed!" >&2
    exit 1`,
  // SIGKILL with no last word
  killedForMemory: "    kill -9 $$",
} as const;

/** Writes the script into `dir` and answers its path (give it as encoder-ffmpeg's ffmpeg_path). */
export async function writeFailingEncodeFfmpeg(
  dir: string,
  failure: keyof typeof failures = "encoderFailsToOpen",
): Promise<string> {
  const path = join(dir, "ffmpeg-failing-encodes");
  await writeFile(
    path,
    `#!/bin/sh
case " $* " in
  *" -progress "*)
${failures[failure]} ;;
esac
exec "\${FFMPEG_PATH:-ffmpeg}" "$@"
`,
  );
  await chmod(path, 0o755);
  return path;
}
