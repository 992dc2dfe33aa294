// Turns ffmpeg's `-progress pipe:1` output (key=value lines, each block closed by
// `progress=continue|end`) into progress ticks. Chunks may split lines anywhere.
import type { EncodeProgress } from "../sdk/encoderPlugin.ts";

export interface ProgressParser {
  /** Feeds raw output; returns a tick for every block completed by it. */
  push(chunk: string): EncodeProgress[];
}

export function createProgressParser(expectedDurationSec: number): ProgressParser {
  let pending = "";
  let block = new Map<string, string>();

  const tickOf = (fields: Map<string, string>): EncodeProgress => {
    const ended = fields.get("progress") === "end";
    const outTimeSec = Math.max(0, outTimeOf(fields) ?? 0);
    const fps = numberOf(fields.get("fps"));
    const speed = numberOf(fields.get("speed")?.replace(/x$/, ""));
    const remainingSec = Math.max(0, expectedDurationSec - outTimeSec);
    const ratio = expectedDurationSec > 0 ? outTimeSec / expectedDurationSec : 0;
    return {
      pct: ended ? 100 : Math.min(100, Math.round(ratio * 1000) / 10),
      outTimeSec,
      fps,
      speed,
      etaSeconds: ended ? 0 : speed !== null && speed > 0 ? Math.round(remainingSec / speed) : null,
    };
  };

  return {
    push(chunk) {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      const ticks: EncodeProgress[] = [];
      for (const raw of lines) {
        const line = raw.trim();
        const eq = line.indexOf("=");
        if (eq <= 0) continue;
        const key = line.slice(0, eq).trim();
        block.set(key, line.slice(eq + 1).trim());
        if (key === "progress") {
          ticks.push(tickOf(block));
          block = new Map();
        }
      }
      return ticks;
    },
  };
}

function numberOf(value: string | undefined): number | null {
  if (value === undefined || value === "" || value === "N/A") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function outTimeOf(fields: Map<string, string>): number | null {
  const us = numberOf(fields.get("out_time_us"));
  if (us !== null) return us / 1_000_000;
  // Older builds only print out_time=HH:MM:SS.micro (out_time_ms is microseconds too, despite its name).
  const match = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(fields.get("out_time") ?? "");
  if (!match) return null;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
  return match[1] === "-" ? -seconds : seconds;
}
