import { describe, expect, it } from "vitest";
import { classifyFailure } from "./classifyFailure.ts";

const facts = (over: Partial<Parameters<typeof classifyFailure>[0]>) =>
  classifyFailure({ exitCode: 1, signal: null, stderr: "", killedBy: null, ...over });

describe("classifyFailure", () => {
  it("reports our own kills as cancelled or stalled, whatever ffmpeg said", () => {
    expect(facts({ killedBy: "cancel", signal: "SIGTERM", stderr: "Invalid data found" }).exitClass).toBe(
      "cancelled",
    );
    expect(facts({ killedBy: "stall", signal: "SIGKILL" }).exitClass).toBe("stalled");
  });

  it("reads a SIGKILL we did not send, or exit 137, as out of memory", () => {
    expect(facts({ exitCode: null, signal: "SIGKILL" }).exitClass).toBe("oom");
    expect(facts({ exitCode: 137 }).exitClass).toBe("oom");
    expect(
      facts({ stderr: "[libx264 @ 0x1] malloc of size 4 failed: Cannot allocate memory\n" }).exitClass,
    ).toBe("oom");
  });

  it("reads exit 255 or a signal someone else sent as an abort or timeout, before any decode error", () => {
    const aborted = facts({
      exitCode: 255,
      stderr: "[h264 @ 0x1] Invalid NAL unit size (1 > 2).\nExiting normally, received signal 15.\n",
    });
    expect(aborted.exitClass).toBe("timeout");
    expect(aborted.message).toContain("exit 255");
    expect(facts({ exitCode: null, signal: "SIGTERM" }).exitClass).toBe("timeout");
    expect(facts({ exitCode: null, signal: "SIGINT" }).exitClass).toBe("timeout");
    expect(
      facts({ stderr: "https://cdn.example/a.mp4: Connection timed out\nConversion failed!\n" }).exitClass,
    ).toBe("timeout");
  });

  it("keeps an out-of-memory kill apart from an abort, even though both stop ffmpeg by a signal", () => {
    expect(facts({ exitCode: 137, stderr: "Exiting normally, received signal 9.\n" }).exitClass).toBe("oom");
    expect(
      facts({ exitCode: 255, stderr: "x264 [error]: malloc of size 1 failed: Cannot allocate memory\n" })
        .exitClass,
    ).toBe("oom");
  });

  it("blames the input for corrupt, truncated or unsupported sources, though ffmpeg exits 1 for all", () => {
    const input = [
      "file:/m/in.mp4: Invalid data found when processing input",
      "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] moov atom not found",
      "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] stream 0, offset 0x4e54: partial file",
      "[h264 @ 0x55] Invalid NAL unit size (1234 > 56).",
      "Error while decoding stream #0:1: Invalid data found when processing input",
      "Decoder (codec av1) not found for input stream #0:0",
      "https://cdn.example/a.mp4: Server returned 404 Not Found",
    ];
    for (const line of input) {
      const verdict = facts({ stderr: `some warning\n${line}\nConversion failed!\n` });
      expect(verdict.exitClass, line).toBe("input");
      expect(verdict.message).toContain(line);
    }
  });

  it("calls everything else transient, quoting ffmpeg's last real line", () => {
    const verdict = facts({
      stderr:
        "[h264_nvenc @ 0x1] Cannot load libcuda.so.1\nError initializing output stream 0:0\nConversion failed!\n",
    });
    expect(verdict.exitClass).toBe("transient");
    expect(verdict.message).toContain("Error initializing output stream 0:0");
    expect(
      facts({ stderr: "https://cdn.example/a.mp4: Server returned 503 Service Unavailable\n" }).exitClass,
    ).toBe("transient");
    expect(facts({ exitCode: null, signal: "SIGSEGV" }).message).toContain("SIGSEGV");
  });
});
