import { describe, expect, it } from "vitest";
import { atFeedPosition, noteFeedPosition } from "./feedPosition.ts";

describe("feedPosition", () => {
  it("asks the read models for the furthest position the feed has shown, never an earlier one", () => {
    expect(atFeedPosition("/v1/jobs/abc")).toBe("/v1/jobs/abc");
    noteFeedPosition(JSON.stringify({ type: "JobCompleted", position: 42 }));
    noteFeedPosition(JSON.stringify({ type: "TaskCompleted", position: 17 }));
    noteFeedPosition("not json");
    noteFeedPosition(JSON.stringify({ type: "progress" }));
    expect(atFeedPosition("/v1/jobs/abc")).toBe("/v1/jobs/abc?min_position=42");
    expect(atFeedPosition("/v1/jobs?limit=8")).toBe("/v1/jobs?limit=8&min_position=42");
  });
});
