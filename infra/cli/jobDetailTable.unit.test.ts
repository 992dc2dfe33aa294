import { describe, expect, it } from "vitest";
import type { JobDetail } from "../../schemas/api/jobResponses.ts";
import { formatBytes, jobDetailTable } from "./jobDetailTable.ts";

const task = (
  index: number,
  kind: "video" | "audio" | "stitch" | "package",
  start: number,
  end: number,
  size: number,
  tiers: { rendition?: string; renditions?: string[] } = {},
) => ({
  id: `t-${index}`,
  kind,
  rendition: tiers.rendition ?? null,
  renditions: tiers.renditions ?? [],
  stitch: null as JobDetail["stitch"],
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

  it("prints a ladder's tiers beside each task and each tier's stitch with its own seams", () => {
    const seam = (ssim: number, mean: number) => ({
      frame_count: 2700,
      mean_ssim: mean,
      worst_seam_delta: ssim - mean,
      seams: [{ index: 1, time_sec: 45, ssim, delta: ssim - mean }],
      seams_unmeasured: null,
    });
    const tiers = ["720p", "480p"];
    const ladder = {
      ...job,
      profile: "hls_abr_2tier",
      tasks: [
        task(0, "video", 0, 45, 9_000_000, { renditions: tiers }),
        task(1, "video", 45, 90, 8_800_000, { renditions: tiers }),
        task(2, "audio", 0, 90, 1_400_000),
        { ...task(3, "stitch", 0, 90, 12_000_000, { rendition: "720p" }), stitch: seam(0.9861, 0.9874) },
        { ...task(4, "stitch", 0, 90, 6_000_000, { rendition: "480p" }), stitch: seam(0.9902, 0.9905) },
        task(5, "package", 0, 90, 18_500_000),
      ],
      stitch: seam(0.9861, 0.9874),
    } as unknown as JobDetail;
    const lines = jobDetailTable(ladder);
    expect(lines).toContain("#  kind     tiers      range (s)      status     worker    attempts  size");
    expect(lines).toContain("0  video    720p+480p  0.000–45.000   completed  worker-a         1  8.6 MiB");
    expect(lines).toContain("4  stitch   480p       0.000–90.000   completed  worker-a         1  5.7 MiB");
    expect(lines).toContain("5  package  -          0.000–90.000   completed  worker-b         1  17.6 MiB");
    const i720 = lines.indexOf("stitch 720p verified: 2700 frames; mean SSIM 0.98740");
    const i480 = lines.indexOf("stitch 480p verified: 2700 frames; mean SSIM 0.99050");
    expect(i720).toBeGreaterThan(0);
    expect(i480).toBeGreaterThan(i720);
    expect(lines[i720 + 2]).toBe("   1  45.000  0.98610  -0.00130");
    expect(lines[i480 + 2]).toBe("   1  45.000  0.99020  -0.00030");
    // the job's worst stitch is not printed a second time
    expect(lines.filter((line) => line.includes("verified:"))).toHaveLength(2);
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
