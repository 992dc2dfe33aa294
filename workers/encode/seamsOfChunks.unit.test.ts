import { describe, expect, it } from "vitest";
import type { TaskState } from "../../domain/job/jobState.ts";
import type { ChunkEdgeSsimData } from "../../schemas/events/jobEvents.ts";
import { chunkOutputOf, seamsOfChunks } from "./seamsOfChunks.ts";

const side = (ssim: number, frames = 12) => ({ ssim, frames });

function chunk(sequenceIndex: number, firstFrame: number, edgeSsim: ChunkEdgeSsimData | null): TaskState {
  return {
    taskId: `task-${sequenceIndex}`,
    sequenceIndex,
    startTimeSec: firstFrame / 30,
    endTimeSec: firstFrame / 30 + 60,
    kind: "video",
    chunk: { seekSec: 0, firstFrame, frameCount: 1800, gridStartSec: firstFrame / 30, durationSec: 60 },
    stitch: null,
    rendition: null,
    renditions: [],
    dependsOn: [],
    files: [],
    folder: null,
    status: "completed",
    attempt: 1,
    workerId: "worker-a",
    leaseId: null,
    progressPct: 100,
    outputKey: `work/${sequenceIndex}.mp4`,
    sizeBytes: 1,
    checksum: null,
    edgeSsim,
    notBefore: null,
    avoidWorkers: [],
  };
}

describe("seamsOfChunks", () => {
  const first = { first: null, last: side(0.97), samples: side(0.99, 24), measureMs: 900 };
  const second = { first: side(0.99), last: null, samples: side(0.98, 24), measureMs: 1100 };

  it("combines the chunks' sides of each seam and their samples, the seam at its first frame's time", () => {
    const report = seamsOfChunks([chunk(0, 0, first), chunk(1, 1962, second)], "30/1");
    expect(report).toMatchObject({ _tag: "SeamReport", seams: [{ index: 1, timeSec: 65.4 }] });
    if (report?._tag !== "SeamReport") return;
    expect(report.meanSsim).toBeCloseTo(0.985, 12);
    expect(report.seams[0]?.ssim).toBeCloseTo(0.98, 12);
    expect(report.seams[0]?.delta).toBeCloseTo(-0.005, 12);
  });

  it("reports the seams unmeasured, saying why, when a chunk could not measure its edges", () => {
    const failed = { first: null, last: null, samples: null, unmeasured: "ffmpeg exited 1", measureMs: 40 };
    expect(seamsOfChunks([chunk(0, 0, first), chunk(1, 1962, failed)], "30/1")).toEqual({
      _tag: "SeamSsimFailed",
      message: "chunk 1 could not measure its edges: ffmpeg exited 1",
    });
  });

  it("takes each chunk's figures of the stitch's own tier when the chunks made every tier of their range", () => {
    const poor = { first: side(0.5), last: side(0.5), samples: side(0.5, 24), measureMs: 1 };
    const tiered = (c: TaskState, of720p: ChunkEdgeSsimData): TaskState => ({
      ...c,
      outputKey: null,
      edgeSsim: null,
      renditions: ["720p", "480p"],
      files: (["720p", "480p"] as const).map((rendition) => ({
        name: `${rendition}.mp4`,
        type: "rendition" as const,
        key: `work/${c.sequenceIndex}/${rendition}.mp4`,
        sizeBytes: 1,
        checksum: `sha256:${"0".repeat(64)}`,
        rendition,
        edgeSsim: rendition === "720p" ? of720p : poor,
      })),
    });
    const chunks = [tiered(chunk(0, 0, null), first), tiered(chunk(1, 1962, null), second)];
    const report = seamsOfChunks(chunks, "30/1", "720p");
    if (report?._tag !== "SeamReport") throw new Error(JSON.stringify(report));
    expect(report.meanSsim).toBeCloseTo(0.985, 12);
    expect(report.seams[0]?.ssim).toBeCloseTo(0.98, 12);
    expect(seamsOfChunks(chunks, "30/1", "480p")).toMatchObject({ meanSsim: 0.5 });
    expect(chunkOutputOf(chunks[1]!, "480p")?.key).toBe("work/1/480p.mp4");
    // a tier the chunk did not make: nothing to fetch, nothing to combine
    expect(chunkOutputOf(chunks[1]!, "1080p")).toBeNull();
    expect(seamsOfChunks(chunks, "30/1", "1080p")).toBeNull();
  });

  it("has nothing to combine when a chunk brought no figures: the output is measured instead", () => {
    expect(seamsOfChunks([chunk(0, 0, first), chunk(1, 1962, null)], "30/1")).toBeNull();
  });
});
