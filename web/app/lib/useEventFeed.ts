// Follows the server's event feed and patches cached queries, so pages move without a reload.
// EventSource cannot send headers: a short-lived ticket from POST /v1/events/ticket opens the stream.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { apiFetch } from "./apiFetch.ts";
import type { StreamStats, TelemetryFrame } from "./apiTypes.ts";
import { noteFeedPosition } from "./feedPosition.ts";
import { applyTelemetryFrame } from "./liveTelemetry.ts";

const RECONNECT_MS = 2_000;

export function useEventFeed(enabled: boolean): boolean {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    if (!enabled) return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    let refresh: ReturnType<typeof setTimeout> | undefined;

    // many events arrive in bursts: refetch the affected lists once per burst
    const refetchSoon = (message: MessageEvent<string>) => {
      noteFeedPosition(message.data);
      if (refresh) return;
      refresh = setTimeout(() => {
        refresh = undefined;
        void client.invalidateQueries({ queryKey: ["jobs"] });
        void client.invalidateQueries({ queryKey: ["job"] });
        void client.invalidateQueries({ queryKey: ["job-events"] });
        void client.invalidateQueries({ queryKey: ["workers"] });
        void client.invalidateQueries({ queryKey: ["errors"] });
        void client.invalidateQueries({ queryKey: ["streams"] });
        void client.invalidateQueries({ queryKey: ["stream"] });
        void client.invalidateQueries({ queryKey: ["restreams"] });
        void client.invalidateQueries({ queryKey: ["restream"] });
      }, 250);
    };

    // a tick says how far one task got; the query API merges the latest ticks of every task into the
    // job's figures, so one refetch a second keeps bars and ETAs exact without summing here
    let lastTick = 0;
    const onProgress = () => {
      if (Date.now() - lastTick < 1_000) return;
      lastTick = Date.now();
      void client.invalidateQueries({ queryKey: ["jobs"] });
      void client.invalidateQueries({ queryKey: ["job"] });
    };

    // a telemetry frame moves an open studio's figures and charts on at once, without a request
    const onTelemetry = (message: MessageEvent<string>) => {
      let frame: TelemetryFrame;
      try {
        frame = JSON.parse(message.data) as TelemetryFrame;
      } catch {
        return;
      }
      client.setQueryData<StreamStats>(["stream", frame.stream_id, "stats"], (stats) =>
        stats ? applyTelemetryFrame(stats, frame) : stats,
      );
    };

    const open = async () => {
      try {
        const { ticket } = await apiFetch<{ ticket: string }>("/v1/events/ticket", { method: "POST" });
        if (closed) return;
        source = new EventSource(`/v1/events/stream?ticket=${encodeURIComponent(ticket)}`);
        source.onopen = () => setConnected(true);
        source.onmessage = refetchSoon;
        source.addEventListener("progress", onProgress);
        source.addEventListener("telemetry", onTelemetry);
        for (const type of FEED_TYPES) source.addEventListener(type, refetchSoon);
        source.onerror = () => {
          // a ticket is good for one connection: take a fresh one rather than let the browser retry
          setConnected(false);
          source?.close();
          if (!closed) retry = setTimeout(open, RECONNECT_MS);
        };
      } catch {
        if (!closed) retry = setTimeout(open, RECONNECT_MS * 2);
      }
    };
    void open();
    return () => {
      closed = true;
      clearTimeout(retry);
      clearTimeout(refresh);
      source?.close();
      setConnected(false);
    };
  }, [client, enabled]);

  return connected;
}

const FEED_TYPES = [
  "JobSubmitted",
  "JobSourceProbed",
  "JobPlanned",
  "TaskScheduled",
  "TaskStarted",
  "TaskProgressed",
  "TaskCompleted",
  "TaskFailed",
  "TaskRetryScheduled",
  "JobStitchingStarted",
  "JobUploadingStarted",
  "JobCompleted",
  "JobFailed",
  "JobCancelled",
  "JobRetried",
  "JobDeleted",
  "WorkerStarted",
  "WorkerStopped",
  "WorkerLost",
  "WorkerDrained",
  "WorkerUndrained",
  "WorkerQuarantined",
  "WorkerUnquarantined",
  "ErrorReported",
  "ErrorResolved",
  "StreamCreated",
  "StreamUpdated",
  "StreamKeyRotated",
  "StreamStarted",
  "StreamInterrupted",
  "StreamResumed",
  "StreamEndRequested",
  "StreamEnded",
  "RecordingReady",
  "StreamArchiveJobCreated",
  "StreamDeleted",
  "RestreamCreated",
  "RestreamUpdated",
  "RestreamDeleted",
  "RestreamStarted",
  "RestreamStopped",
  "RestreamDestinationStateChanged",
];
