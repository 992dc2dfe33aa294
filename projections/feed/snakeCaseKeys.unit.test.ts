import { describe, expect, it } from "vitest";
import { snakeCaseKeys } from "./snakeCaseKeys.ts";

describe("snakeCaseKeys", () => {
  it("renames the keys of nested objects and of objects in arrays, leaving values alone", () => {
    expect(
      snakeCaseKeys({
        taskId: "t",
        video: { pixFmt: "yuv420p", sampleRate: 48_000 },
        tasks: [{ sequenceIndex: 0, startTimeSec: 1.5 }],
        outputKey: "camelCase stays in values",
        already_snake: 1,
      }),
    ).toEqual({
      task_id: "t",
      video: { pix_fmt: "yuv420p", sample_rate: 48_000 },
      tasks: [{ sequence_index: 0, start_time_sec: 1.5 }],
      output_key: "camelCase stays in values",
      already_snake: 1,
    });
  });

  it("splits acronyms and digits the way a reader expects", () => {
    expect(snakeCaseKeys({ sourceURL: 1, sourceURLPath: 2, h264Profile: 3, x: 4 })).toEqual({
      source_url: 1,
      source_url_path: 2,
      h264_profile: 3,
      x: 4,
    });
  });

  it("keeps what is not a plain object as it is", () => {
    const at = new Date(0);
    expect(snakeCaseKeys(null)).toBeNull();
    expect(snakeCaseKeys("fooBar")).toBe("fooBar");
    expect(snakeCaseKeys({ when: at })).toEqual({ when: at });
  });
});
