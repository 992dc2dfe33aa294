// A real RTMP server receiving one publisher: `ffmpeg -listen 1` writing what it receives to an FLV file,
// as a platform's ingest would take it. Its packets' times tell whether the stream had gaps.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface RtmpReceiver {
  readonly url: string;
  readonly file: string;
  readonly process: ChildProcess;
  /** Resolves once ffmpeg listens on its port (read from the kernel's socket table, so that no probe
   * connection takes the one publisher it accepts). */
  listening(): Promise<void>;
  /** Kill -9: the publisher's connection drops as if the platform went away. */
  kill(): Promise<void>;
  /** Let ffmpeg finish its file (SIGINT) and wait for it. */
  close(): Promise<void>;
  /**
   * The publisher has ended its stream: wait for ffmpeg to write what it received and end by itself
   * (a SIGINT at once can stop it before it has written the last packets it read), then close().
   */
  finish(): Promise<void>;
}

export function startRtmpReceiver(port: number, file: string): RtmpReceiver {
  const url = `rtmp://127.0.0.1:${port}/live/stream-key-0001`;
  const process = spawn(
    "ffmpeg",
    ["-hide_banner", "-loglevel", "error", "-y", "-listen", "1", "-i", url, "-c", "copy", "-f", "flv", file],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => process.once("close", () => resolve()));
  async function close() {
    if (process.exitCode === null) process.kill("SIGINT");
    const killer = setTimeout(() => process.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
  }
  return {
    url,
    file,
    process,
    async listening() {
      const deadline = Date.now() + 10_000;
      while (!(await listensOn(port))) {
        if (process.exitCode !== null) throw new Error(`the RTMP receiver on ${port} exited`);
        if (Date.now() > deadline)
          throw new Error(`the RTMP receiver on ${port} is not listening after 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async kill() {
      process.kill("SIGKILL");
      await exited;
    },
    close,
    async finish() {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise((resolve) => {
        timer = setTimeout(resolve, 10_000);
      });
      await Promise.race([exited, bound]);
      clearTimeout(timer);
      await close();
    },
  };
}

const LISTEN = "0A";

async function listensOn(port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(table, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === LISTEN && local?.endsWith(`:${hexPort}`)) return true;
    }
  }
  return false;
}

/** The presentation times (seconds) of the video packets of a received file, in order. */
export async function videoPacketTimes(file: string): Promise<number[]> {
  const { stdout } = await run("ffprobe", [
    ...["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", file],
  ]);
  return stdout
    .split("\n")
    .map((line) => Number.parseFloat(line))
    .filter((time) => Number.isFinite(time))
    .sort((a, b) => a - b);
}

/** The longest stretch without a video packet. */
export const longestGap = (times: readonly number[]) =>
  times.slice(1).reduce((longest, time, i) => Math.max(longest, time - times[i]!), 0);
