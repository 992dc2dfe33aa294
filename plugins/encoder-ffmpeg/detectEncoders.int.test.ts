import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectEncoders } from "./detectEncoders.ts";
import { runCommand } from "./runCommand.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "detect-encoders-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hasNvidiaGpu = existsSync("/dev/nvidiactl") || existsSync("/dev/nvidia0");

describe("detectEncoders", () => {
  it("proves libx264 and the other software fallbacks with the real ffmpeg", async () => {
    const capabilities = await detectEncoders({ ffmpegPath: "ffmpeg" });
    expect(capabilities.encoders).toContainEqual({ name: "libx264", codec: "h264", hardware: false });
    expect(capabilities.encoders).toContainEqual({ name: "libx265", codec: "hevc", hardware: false });
    expect(capabilities.encoders).toContainEqual({ name: "libsvtav1", codec: "av1", hardware: false });
    // the matrix's second AV1 software encoder, proven with the options a real encode would use
    expect(capabilities.encoders).toContainEqual({ name: "libaom-av1", codec: "av1", hardware: false });
    expect(capabilities.encoders).toContainEqual({ name: "libvpx-vp9", codec: "vp9", hardware: false });
    expect(capabilities.audioCodecs).toEqual(["aac", "opus"]);
    expect(capabilities.containers).toEqual(["mp4", "mkv", "webm"]);
  });

  it.skipIf(hasNvidiaGpu)(
    "does not claim NVENC, which ffmpeg lists, on a machine without an NVIDIA GPU",
    async () => {
      const listing = await runCommand("ffmpeg", ["-hide_banner", "-encoders"], { timeoutMs: 30_000 });
      expect(listing.stdout).toContain("h264_nvenc"); // listed all the same: that is the trap
      const capabilities = await detectEncoders({ ffmpegPath: "ffmpeg" });
      const names = capabilities.encoders.map((e) => e.name);
      expect(names).not.toContain("h264_nvenc");
      expect(names).not.toContain("hevc_nvenc");
      expect(capabilities.encoders.filter((e) => e.hardware)).toEqual([]);
      expect(capabilities.hwaccels).not.toContain("cuda");
    },
  );

  it("claims only what passes its test encode, whatever the listing says", async () => {
    // An ffmpeg that lists everything but can encode with libx264 only.
    const fake = join(dir, "ffmpeg");
    await writeFile(
      fake,
      `#!/bin/sh
case "$*" in
  *-encoders*) printf ' V....D libx264  x264\\n V....D h264_nvenc  NVENC\\n V....D libx265  x265\\n A..... aac  AAC\\n' ;;
  *-hwaccels*) printf 'Hardware acceleration methods:\\ncuda\\nvaapi\\n' ;;
  *"-c:v libx264"*) exit 0 ;;
  *) exit 1 ;;
esac
`,
    );
    await chmod(fake, 0o755);
    const capabilities = await detectEncoders({ ffmpegPath: fake });
    expect(capabilities.encoders).toEqual([{ name: "libx264", codec: "h264", hardware: false }]);
    expect(capabilities.hwaccels).toEqual([]);
  });

  it("claims nothing when ffmpeg is missing", async () => {
    const capabilities = await detectEncoders({ ffmpegPath: join(dir, "no-ffmpeg") });
    expect(capabilities).toEqual({ encoders: [], hwaccels: [], audioCodecs: [], containers: [] });
  });
});
