import { describe, expect, it } from "vitest";
import type { JobDetail } from "../../schemas/api/jobResponses.ts";
import { formatBytes, jobDetailTable } from "./jobDetailTable.ts";

const task = (
  index: number,
  kind: "video" | "audio" | "stitch",
  start: number,
  end: number,
  size: number,
) => ({
  id: `t-${index}`,
  kind,
  sequence_index: index,
  start_time_sec: start,
  end_time_sec: end,
  status: "completed",
  attempt: 1,
  max_attempts: 3,
  worker_id: index % 2 === 0 ? "worker-a" : "worker-b",
  progress_pct: 100,
  not_before: null,
  output_size_bytes: size,
  attempts: [],
});

const job = {
  id: "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11",
  status: "completed",
  progress_pct: 100,
  profile: "720p_h264",
  source_url: "fs://talk.mp4",
  error: null,
  tasks: [
    task(0, "video", 0, 44.5, 5_300_000),
    task(1, "video", 44.5, 90, 5_100_000),
    task(2, "audio", 0, 90, 1_400_000),
    task(3, "stitch", 0, 90, 11_900_000),
  ],
  stitch: {
    frame_count: 2700,
    mean_ssim: 0.98765,
    worst_seam_delta: -0.0012,
    seams: [{ index: 1, time_sec: 44.5, ssim: 0.98645, delta: -0.0012 }],
    seams_unmeasured: null,
  },
} as unknown as JobDetail;

describe("jobs show", () => {
  it("prints the tasks as a table and the stitch's seams", () => {
    const lines = jobDetailTable(job);
    expect(lines[0]).toBe("5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11  completed  100%  720p_h264  fs://talk.mp4");
    expect(lines).toContain("#  kind    range (s)      status     worker    attempts  size");
    expect(lines).toContain("1  video   44.500–90.000  completed  worker-b         1  4.9 MiB");
    expect(lines).toContain("3  stitch  0.000–90.000   completed  worker-b         1  11.3 MiB");
    expect(lines).toContain("stitch verified: 2700 frames; mean SSIM 0.98765");
    expect(lines).toContain("   1  44.500  0.98645  -0.00120");
  });

  it("says why seams have no figures, and prints no stitch for a job run as one task", () => {
    const unmeasured = {
      ...job,
      stitch: {
        ...job.stitch!,
        mean_ssim: null,
        seams: [],
        seams_unmeasured: "ffmpeg printed no SSIM values",
      },
    };
    expect(jobDetailTable(unmeasured)).toContain("seams not measured: ffmpeg printed no SSIM values");
    expect(jobDetailTable({ ...job, stitch: null }).join("\n")).not.toContain("stitch verified");
  });

  it("sizes bytes the way people read them", () => {
    expect([formatBytes(null), formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual([
      "-",
      "512 B",
      "1.5 KiB",
      "5.0 GiB",
    ]);
  });
});
