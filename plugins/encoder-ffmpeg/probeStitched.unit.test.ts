import { describe, expect, it } from "vitest";
import { parseAudioFacts } from "./probeStitched.ts";

describe("parseAudioFacts", () => {
  it("gives each audio stream its start, duration, language and the largest step between its packets", () => {
    const out = [
      "packet|stream_index=1|pts_time=-0.021333|duration_time=0.021333",
      "packet|stream_index=1|pts_time=0.000000|duration_time=0.021333",
      "packet|stream_index=2|pts_time=0.000000|duration_time=0.021333",
      "packet|stream_index=1|pts_time=0.021333|duration_time=0.021333",
      "packet|stream_index=2|pts_time=0.064000|duration_time=0.021333",
      "packet|stream_index=2|pts_time=0.085333|duration_time=0.010000",
      "stream|index=1|start_time=0.000000|duration=6.016000|tag:language=eng",
      "stream|index=2|start_time=0.000000|duration=6.014000|tag:language=und",
    ].join("\n");
    const [first, second] = parseAudioFacts(out);
    expect(first).toMatchObject({ startSec: 0, durationSec: 6.016, language: "eng", packetSec: 0.021333 });
    expect(first?.largestStepSec).toBeCloseTo(0.021333, 6);
    expect(second).toMatchObject({ language: null, packetSec: 0.021333 });
    expect(second?.largestStepSec).toBeCloseTo(0.064, 6);
  });
});
