import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createProgressParser } from "./createProgressParser.ts";

// Two blocks as ffmpeg 5.1 prints them with -progress pipe:1.
const output = [
  "frame=45",
  "fps=44.91",
  "stream_0_0_q=29.0",
  "bitrate= 310.2kbits/s",
  "total_size=48",
  "out_time_us=1500000",
  "out_time_ms=1500000",
  "out_time=00:00:01.500000",
  "dup_frames=0",
  "drop_frames=0",
  "speed=1.5x",
  "progress=continue",
  "frame=90",
  "fps=45.00",
  "out_time_us=3018594",
  "out_time=00:00:03.018594",
  "speed=1.49x",
  "progress=end",
  "",
].join("\n");

describe("createProgressParser", () => {
  it("turns each block into a tick with percent, time, fps, speed and eta", () => {
    const ticks = createProgressParser(6).push(output);
    expect(ticks).toEqual([
      { pct: 25, outTimeSec: 1.5, fps: 44.91, speed: 1.5, etaSeconds: 3 },
      { pct: 100, outTimeSec: 3.018594, fps: 45, speed: 1.49, etaSeconds: 0 },
    ]);
  });

  it("gives the same ticks however the output is cut into chunks", () => {
    const whole = createProgressParser(6).push(output);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: output.length - 1 }), { maxLength: 20 }),
        (cuts) => {
          const parser = createProgressParser(6);
          const bounds = [0, ...cuts.sort((a, b) => a - b), output.length];
          const ticks = bounds.slice(1).flatMap((end, i) => parser.push(output.slice(bounds[i], end)));
          expect(ticks).toEqual(whole);
        },
      ),
    );
  });

  it("emits nothing until a block is closed by its progress line", () => {
    const parser = createProgressParser(10);
    expect(parser.push("frame=1\nout_time_us=1000000\nspeed=1x\n")).toEqual([]);
    expect(parser.push("progress=continue\n")).toEqual([
      { pct: 10, outTimeSec: 1, fps: null, speed: 1, etaSeconds: 9 },
    ]);
  });

  it("reads N/A and negative start times as unknown and zero", () => {
    const [tick] = createProgressParser(10).push(
      "fps=0.00\nout_time_us=-23220\nout_time=-00:00:00.023220\nspeed=N/A\nprogress=continue\n",
    );
    expect(tick).toEqual({ pct: 0, outTimeSec: 0, fps: 0, speed: null, etaSeconds: null });
    const [unknown] = createProgressParser(10).push("out_time_us=N/A\nspeed=N/A\nprogress=continue\n");
    expect(unknown).toEqual({ pct: 0, outTimeSec: 0, fps: null, speed: null, etaSeconds: null });
  });

  it("falls back to out_time when out_time_us is missing, and caps percent below the end at 100", () => {
    const [tick] = createProgressParser(60).push("out_time=00:01:02.500000\nspeed=2x\nprogress=continue\n");
    expect(tick).toEqual({ pct: 100, outTimeSec: 62.5, fps: null, speed: 2, etaSeconds: 0 });
  });

  it("handles CRLF line ends", () => {
    const [tick] = createProgressParser(4).push("out_time_us=2000000\r\nspeed=0.5x\r\nprogress=continue\r\n");
    expect(tick).toEqual({ pct: 50, outTimeSec: 2, fps: null, speed: 0.5, etaSeconds: 4 });
  });
});
