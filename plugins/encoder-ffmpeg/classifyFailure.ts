// Why an encode failed, from what we did to ffmpeg and what it said. ffmpeg 5.1 exits 1 for a corrupt
// input and for a transient fault alike, so the exit code alone decides nothing; the caller
// re-probes the input before trusting a "transient" verdict.
import type { EncodeExitClass } from "../sdk/encoderPlugin.ts";

export interface FailureFacts {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** Set when we killed it ourselves. */
  readonly killedBy: "cancel" | "stall" | null;
}

export interface FailureVerdict {
  readonly exitClass: EncodeExitClass;
  readonly message: string;
}

/** ffmpeg stopped by a signal it handled (it then exits 255), or a network operation that ran out of time. */
const aborted =
  /Exiting normally, received signal|Immediate exit requested|Connection timed out|Operation timed out/i;

/** Signals someone else sent: a supervisor's timeout, a shutdown, an operator. */
const abortSignals: ReadonlySet<NodeJS.Signals> = new Set(["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT"]);

const outOfMemory = /Cannot allocate memory|Out of memory|std::bad_alloc|ENOMEM/i;

const inputFaults: readonly RegExp[] = [
  /Invalid data found when processing input/i,
  /moov atom not found/i,
  /partial file/i,
  /corrupt input packet|Packet corrupt|Invalid NAL unit size|Error splitting the input into NAL units/i,
  /Error while decoding stream/i,
  /does not contain any stream|Output file #0 does not contain any stream/i,
  /Decoder \(codec [^)]*\) not found|Unsupported codec|Could not find codec parameters/i,
  /error reading header/i,
  /not on whitelist/i,
  /Server returned 40[04]|Server returned 410|HTTP error 40[04]|HTTP error 410/i,
];

export function classifyFailure(facts: FailureFacts): FailureVerdict {
  if (facts.killedBy === "cancel") return { exitClass: "cancelled", message: "encode cancelled" };
  if (facts.killedBy === "stall") return { exitClass: "stalled", message: "encode stalled: no progress" };
  if (facts.signal === "SIGKILL" || facts.exitCode === 137) {
    return { exitClass: "oom", message: "ffmpeg was killed (SIGKILL), most likely for lack of memory" };
  }
  const lines = facts.stderr.split("\n").map((line) => line.trim());
  if (lines.some((line) => outOfMemory.test(line))) {
    return { exitClass: "oom", message: `ffmpeg ran out of memory: ${firstMatching(lines, [outOfMemory])}` };
  }
  // Checked before the input's faults: decode errors printed before an abort are not why it stopped.
  if (facts.exitCode === 255 || (facts.signal !== null && abortSignals.has(facts.signal))) {
    const how = facts.signal ? `killed by ${facts.signal}` : "exit 255";
    return { exitClass: "timeout", message: `ffmpeg was aborted (${how}): ${lastMeaningful(lines)}` };
  }
  const inputLine = firstMatching(lines, inputFaults);
  if (inputLine) return { exitClass: "input", message: `source is corrupt or unsupported: ${inputLine}` };
  const timedOut = firstMatching(lines, [aborted]);
  if (timedOut) return { exitClass: "timeout", message: `ffmpeg timed out: ${timedOut}` };
  const how = facts.signal ? `killed by ${facts.signal}` : `exit ${facts.exitCode ?? "unknown"}`;
  return { exitClass: "transient", message: `ffmpeg failed (${how}): ${lastMeaningful(lines)}` };
}

function firstMatching(lines: readonly string[], patterns: readonly RegExp[]): string {
  return lines.find((line) => patterns.some((p) => p.test(line))) ?? "";
}

function lastMeaningful(lines: readonly string[]): string {
  const useful = lines.filter((line) => line !== "" && line !== "Conversion failed!");
  return useful[useful.length - 1] ?? "no message";
}
