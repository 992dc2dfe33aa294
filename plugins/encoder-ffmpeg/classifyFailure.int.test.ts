// The exit classes against a real ffmpeg: what it does when it is aborted (SIGTERM: it exits 255 by
// itself) and when the kernel's OOM killer takes it (SIGKILL), read the way the encoder reads them.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { classifyFailure } from "./classifyFailure.ts";

const ffmpegPath = process.env.FFMPEG_PATH ?? "ffmpeg";

/** Starts an endless encode, sends `signal` once it is encoding, and reports how it ended. */
function encodeUntil(signal: NodeJS.Signals) {
  const child = spawn(
    ffmpegPath,
    ["-hide_banner", "-nostdin", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-f", "null", "-"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  let sent = false;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
    if (!sent && stderr.includes("frame=")) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (exitCode, exitSignal) => resolve({ exitCode, signal: exitSignal, stderr })),
  );
}

describe("classifyFailure with a real ffmpeg", () => {
  it("reads an ffmpeg stopped by SIGTERM, which exits 255, as an abort or timeout", async () => {
    const ended = await encodeUntil("SIGTERM");
    expect(ended.exitCode).toBe(255);
    expect(ended.stderr).toContain("received signal 15");
    expect(classifyFailure({ ...ended, killedBy: null }).exitClass).toBe("timeout");
  });

  it("reads an ffmpeg killed by SIGKILL we did not send as out of memory", async () => {
    const ended = await encodeUntil("SIGKILL");
    expect(ended.signal).toBe("SIGKILL");
    expect(classifyFailure({ ...ended, killedBy: null }).exitClass).toBe("oom");
    // the same kill, sent by our own watchdog, is a stall and not memory
    expect(classifyFailure({ ...ended, killedBy: "stall" }).exitClass).toBe("stalled");
  });
});
