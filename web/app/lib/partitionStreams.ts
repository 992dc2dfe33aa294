import type { StreamSummary } from "./apiTypes.ts";

/** Streams on air (live or waiting for their publisher to come back) and the others, each in the API's order. */
export function partitionStreams(streams: readonly StreamSummary[]): {
  onAir: StreamSummary[];
  past: StreamSummary[];
} {
  return {
    onAir: streams.filter((stream) => stream.status !== "idle"),
    past: streams.filter((stream) => stream.status === "idle"),
  };
}
