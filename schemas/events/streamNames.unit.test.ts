import { describe, expect, it } from "vitest";
import { jobStream, profileStream, tokenStream, workerStream } from "./streamNames.ts";

describe("stream names", () => {
  it("name a stream by its kind and id, and give the id back", () => {
    const id = "6f1c2a8e-3b7d-4e0f-9a51-2c8d7e6b4f10";
    expect(jobStream.name(id)).toBe(`job-${id}`);
    expect(jobStream.idOf(jobStream.name(id))).toBe(id);
    expect(tokenStream.idOf(tokenStream.name(id))).toBe(id);
    expect(workerStream.name("host-1")).toBe("worker-host-1");
    expect(profileStream.idOf(profileStream.name("1080p_h264"))).toBe("1080p_h264");
  });

  it("tell streams of their kind from others, and refuse the id of another kind's stream", () => {
    expect(jobStream.matches("job-1")).toBe(true);
    expect(jobStream.matches("token-1")).toBe(false);
    expect(jobStream.matches("jobs-1")).toBe(false);
    expect(() => tokenStream.idOf("job-1")).toThrow("job-1 is not a token stream");
  });

  it("give the prefix that subscriptions filter on", () => {
    expect([jobStream.prefix, tokenStream.prefix, workerStream.prefix]).toEqual([
      "job-",
      "token-",
      "worker-",
    ]);
  });
});
