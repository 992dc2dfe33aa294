// Test support: a live publisher as OBS would be — ffmpeg sending a 320x240 test picture and a tone,
// in real time, to an RTMP (flv) or SRT (mpegts) URL, for a few seconds. `sentSec` says how much media it
// has sent so far (ffmpeg's own progress, a quarter-second behind at most): the measure of what a
// recording must hold, which the wall clock is not (ffmpeg takes a while to start on a busy machine).
import { type ChildProcess, spawn } from "node:child_process";

export interface TestPublisher {
  child: ChildProcess;
  exit: Promise<number | null>;
  /** Seconds of media sent so far, by ffmpeg's progress reports. */
  sentSec(): number;
}

export function publishTestStream(url: string, seconds: number, format = "flv"): TestPublisher {
  const args = [
    ["-hide_banner", "-nostdin", "-loglevel", "error", "-progress", "pipe:1", "-stats_period", "0.25"],
    ["-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"],
    ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", String(seconds)],
    ["-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-f", format, url],
  ].flat();
  const child = spawn(process.env.FFMPEG_PATH ?? "ffmpeg", args, { stdio: ["ignore", "pipe", "ignore"] });
  let sent = 0;
  let pending = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const match = /^out_time_us=(\d+)/.exec(line);
      if (match) sent = Math.max(sent, Number(match[1]) / 1e6);
    }
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exit, sentSec: () => sent };
}
