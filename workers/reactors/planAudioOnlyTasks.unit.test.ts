import { describe, expect, it } from "vitest";
import { taskIdOf } from "../taskIdOf.ts";
import { planAudioOnlyTasks } from "./planAudioOnlyTasks.ts";

const jobId = "0b5e1f9a-2c3d-4e5f-8a9b-0c1d2e3f4a5b";
const aac = { codec: "aac", bitrateKbps: 128, sampleRate: 48_000, channels: 2 };

describe("planAudioOnlyTasks", () => {
  it("plans the audio of the whole source alone for a progressive profile", () => {
    expect(planAudioOnlyTasks(jobId, { audio: aac, packaging: null }, 20)).toEqual([
      {
        taskId: taskIdOf(jobId, 0),
        sequenceIndex: 0,
        startTimeSec: 0,
        endTimeSec: 20,
        kind: "audio",
        dependsOn: [],
      },
    ]);
  });

  const packaging = (hls: boolean, dash: boolean, encryption: "none" | "aes-128" = "none") => ({
    hls,
    dash,
    encryption,
  });

  it("adds a package over the audio when the profile packages HLS, DASH or both", () => {
    for (const [hls, dash] of [
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const tasks = planAudioOnlyTasks(jobId, { audio: aac, packaging: packaging(hls, dash) }, 20);
      expect(Array.isArray(tasks) && tasks.map((t) => [t.kind, t.dependsOn])).toEqual([
        ["audio", []],
        ["package", [taskIdOf(jobId, 0)]],
      ]);
    }
  });

  it("makes no package for an encrypted DASH alone: its segments are for HLS players", () => {
    const tasks = planAudioOnlyTasks(jobId, { audio: aac, packaging: packaging(false, true, "aes-128") }, 20);
    expect(Array.isArray(tasks) && tasks.map((t) => t.kind)).toEqual(["audio"]);
  });

  it("refuses a profile without audio, saying why", () => {
    expect(planAudioOnlyTasks(jobId, { audio: null, packaging: null }, 20)).toMatchObject({
      _tag: "NoAudioOutput",
      message: expect.stringContaining("makes no audio"),
    });
  });
});
