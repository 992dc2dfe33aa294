// A clip that is expensive to carry: 1280x720 noise held at about 40 Mb/s, so that a destination that
// reads slowly or not at all fills the socket buffers between it and the platform within seconds. Loopback
// buffers take some 12 MB before a writer blocks: at 20 Mb/s a stalled destination's 8 MiB queue overflowed
// only after about 8 s, as long as the tests stall it; at 40 Mb/s after about 4 s.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** An FLV of H.264 only, a keyframe every second. */
export async function makeNoisyClip(path: string, seconds = 2): Promise<void> {
  // noise keeps every frame expensive: the encoder holds ~40 Mb/s instead of coasting on a still pattern
  await run("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", `testsrc2=s=1280x720:r=25:d=${seconds},noise=alls=30:allf=t+u,format=yuv420p`],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "25"],
    ...["-b:v", "40M", "-minrate", "40M", "-maxrate", "40M", "-bufsize", "4M", "-f", "flv", path],
  ]);
}
