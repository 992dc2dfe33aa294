import { describe, expect, it } from "vitest";
import { ApiError } from "../../infra/http/apiError.ts";
import { jobEventTypes } from "../../schemas/events/jobEvents.ts";
import { parseFeedQuery } from "./parseFeedQuery.ts";

const jobId = "0b7f5c2e-8a31-4d7e-9c55-2f1a6b3d4e5f";
const parse = (query: Record<string, string>, header?: string) =>
  parseFeedQuery(query, header, jobEventTypes);

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("parseFeedQuery", () => {
  it("starts at the end with every event and progress by default, and ignores what auth reads", () => {
    expect(parse({ ticket: "t" })).toEqual({ progress: true, stats: true, telemetry: true, from: "end" });
  });

  it("reads the job, the types (progress and stats among them) and from", () => {
    expect(parse({ job: jobId, types: "JobCompleted, JobFailed,progress", from: "start" })).toEqual({
      jobId,
      eventTypes: ["JobCompleted", "JobFailed"],
      progress: true,
      stats: false,
      telemetry: false,
      from: "start",
    });
    expect(parse({ types: "JobCompleted" })).toMatchObject({
      eventTypes: ["JobCompleted"],
      progress: false,
      stats: false,
    });
    expect(parse({ types: "progress,stats" })).toMatchObject({ eventTypes: [], progress: true, stats: true });
    // counts of all jobs are not about one job, unless asked for
    expect(parse({ job: jobId })).toMatchObject({ progress: true, stats: false, telemetry: false });
    expect(parse({ types: "telemetry" })).toMatchObject({ eventTypes: [], progress: false, telemetry: true });
  });

  it("resumes after Last-Event-ID over last_event_id over from", () => {
    expect(parse({ from: "start", last_event_id: "7" }).from).toBe("7");
    expect(parse({ from: "start", last_event_id: "7" }, "9").from).toBe("9");
    expect(parse({ from: "start" }, "").from).toBe("start");
  });

  it.each([
    [{ job: "42" }, /job must be a job id/],
    [{ types: "JobCompleted,Nope,Nor" }, /unknown event type: Nope, Nor/],
    [{ types: "" }, /empty/],
    [{ from: "now" }, /from must be/],
    [{ last_event_id: "has space" }, /printable/],
    [{ last_event_id: "9".repeat(201) }, /too long/],
  ])("refuses %j with WE-JOB-001", (query, details) => {
    const error = refusal(() => parse(query));
    expect(error.code).toBe("WE-JOB-001");
    expect(error.status).toBe(400);
    expect(error.details).toMatch(details);
  });
});
