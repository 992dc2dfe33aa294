import { describe, expect, it } from "vitest";
import { combineChunkEdges } from "./combineChunkEdges.ts";

describe("combineChunkEdges", () => {
  it("weighs each seam's two sides and every chunk's samples by their frames", () => {
    const report = combineChunkEdges(
      [
        { first: null, last: { ssim: 0.9, frames: 12 }, samples: { ssim: 0.95, frames: 18 } },
        {
          first: { ssim: 0.8, frames: 12 },
          last: { ssim: 0.96, frames: 4 },
          samples: { ssim: 0.97, frames: 6 },
        },
        { first: { ssim: 1, frames: 12 }, last: null, samples: { ssim: 0.99, frames: 24 } },
      ],
      [2, 4],
    );
    const mean = (0.95 * 18 + 0.97 * 6 + 0.99 * 24) / 48;
    expect(report).toMatchObject({ _tag: "SeamReport" });
    if (report._tag !== "SeamReport") return;
    expect(report.meanSsim).toBeCloseTo(mean, 12);
    expect(report.seams.map((s) => [s.index, s.timeSec])).toEqual([
      [1, 2],
      [2, 4],
    ]);
    expect(report.seams[0]?.ssim).toBeCloseTo(0.85, 12);
    expect(report.seams[1]?.ssim).toBeCloseTo((0.96 * 4 + 12) / 16, 12);
    expect(report.seams[0]?.delta).toBeCloseTo(0.85 - mean, 12);
  });

  it("says which seam no chunk measured a side of, and when no chunk measured a sample", () => {
    const side = { ssim: 0.9, frames: 12 };
    expect(
      combineChunkEdges(
        [
          { first: null, last: null, samples: side },
          { first: side, last: null, samples: side },
        ],
        [2],
      ),
    ).toMatchObject({ _tag: "SeamSsimFailed", message: expect.stringMatching(/seam 1/) });
    expect(
      combineChunkEdges(
        [
          { first: null, last: side, samples: null },
          { first: side, last: null, samples: null },
        ],
        [2],
      ),
    ).toMatchObject({ _tag: "SeamSsimFailed" });
  });
});
