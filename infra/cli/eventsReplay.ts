// `webencode events replay --stream <id> [--until <position|ISO time>]`: a stream's history and the
// state it folds to at that point — an audit trail and time travel from the log alone.
import { foldJob } from "../../domain/job/jobDecider.ts";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { JobEvent } from "../../schemas/events/jobEvents.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { openDatabase } from "../platform/openDatabase.ts";

export interface ReplayOptions {
  dataDir: string;
  streamId: string;
  until?: string;
  json?: boolean;
}

/** Which events of the stream count: up to a position (inclusive) or up to a time (inclusive). */
export function untilFilter(until: string | undefined): (event: RecordedEvent) => boolean {
  if (until === undefined) return () => true;
  if (/^\d+$/.test(until)) {
    const position = Number(until);
    return (event) => event.position <= position;
  }
  const time = Date.parse(until);
  if (Number.isNaN(time))
    throw new Error(`--until takes a position or an ISO time, got ${JSON.stringify(until)}`);
  return (event) => {
    const occurredAt = (event.metadata as { occurredAt?: string }).occurredAt;
    return Date.parse(occurredAt ?? event.createdAt.toISOString()) <= time;
  };
}

export function replayLines(events: readonly RecordedEvent[]): { lines: string[]; state: unknown } {
  const lines: string[] = [];
  const jobEvents: JobEvent[] = [];
  for (const event of events) {
    const occurredAt =
      (event.metadata as { occurredAt?: string }).occurredAt ?? event.createdAt.toISOString();
    const actor = (event.metadata as { actor?: { userId: string; role: string } }).actor;
    const parsed = parseStoredEvent(event);
    const note = parsed._tag === "Parsed" ? "" : `  !! ${parsed._tag}`;
    lines.push(
      `#${String(event.revision).padStart(3)} @${event.position}  ${occurredAt}  ${event.type.padEnd(20)} ${actor ? `${actor.userId}/${actor.role}` : ""}  ${JSON.stringify(event.data)}${note}`,
    );
    if (parsed._tag === "Parsed") jobEvents.push(parsed.event);
  }
  const isJob = events[0] !== undefined && jobStream.matches(events[0].streamId);
  return { lines, state: isJob ? foldJob(jobEvents) : null };
}

export async function replayStream(options: ReplayOptions): Promise<number> {
  const db = await openDatabase({
    dataDir: options.dataDir,
    databaseUrl: process.env.DATABASE_URL,
    eventStoreUrl: process.env.EVENT_STORE_URL,
  });
  try {
    const keep = untilFilter(options.until);
    const events = (await db.store.readStream(options.streamId)).filter(keep);
    if (events.length === 0) {
      console.error(
        `no events in stream ${options.streamId}${options.until ? ` up to ${options.until}` : ""}`,
      );
      return 1;
    }
    const { lines, state } = replayLines(events);
    if (options.json) {
      console.log(JSON.stringify({ stream: options.streamId, events, state }, null, 2));
      return 0;
    }
    console.log(
      `stream ${options.streamId}: ${events.length} events${options.until ? ` up to ${options.until}` : ""}`,
    );
    for (const line of lines) console.log(line);
    console.log("\nstate at that point:");
    console.log(JSON.stringify(state, null, 2));
    return 0;
  } finally {
    await db.close();
  }
}
