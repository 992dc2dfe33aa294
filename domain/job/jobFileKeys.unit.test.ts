import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { finalOutputKey, jobOfOutputKey } from "./jobFileKeys.ts";

describe("job file keys", () => {
  it("reads the job back from its output keys", () => {
    const jobId = randomUUID();
    expect(jobOfOutputKey(finalOutputKey(jobId))).toBe(jobId);
    expect(jobOfOutputKey(`outputs/${jobId}/thumbs/1.jpg`)).toBe(jobId);
  });

  it("names no job for a key outside a job's outputs or one that climbs out of it", () => {
    const jobId = randomUUID();
    for (const key of [
      `work/${jobId}/a.mp4`,
      `outputs/${jobId}`,
      `outputs/${jobId}/`,
      `outputs/${jobId}/../${randomUUID()}/a.mp4`,
      `outputs/${jobId}/./a.mp4`,
      `outputs/${jobId}//a.mp4`,
      "outputs/not-a-job/a.mp4",
      `/outputs/${jobId}/a.mp4`,
    ]) {
      expect(jobOfOutputKey(key), key).toBeNull();
    }
  });
});
