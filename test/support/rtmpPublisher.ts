// A live publisher: ffmpeg sending a test picture and tone in real time to an RTMP URL, as an encoder
// in a studio would. Kill it to make the live input drop.
import { type ChildProcess, spawn } from "node:child_process";

export interface RtmpPublisher {
  readonly process: ChildProcess;
  kill(): Promise<void>;
}

export function startRtmpPublisher(url: string): RtmpPublisher {
  const process = spawn(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-re"],
      ...["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"],
      ...[
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-tune",
        "zerolatency",
        "-pix_fmt",
        "yuv420p",
        "-g",
        "25",
      ],
      ...["-c:a", "aac", "-b:a", "64k", "-f", "flv", url],
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => process.once("close", () => resolve()));
  return {
    process,
    async kill() {
      process.kill("SIGKILL");
      await exited;
    },
  };
}
