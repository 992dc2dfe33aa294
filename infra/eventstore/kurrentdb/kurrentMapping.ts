// Pure translations between the event-store port and @kurrent/kurrentdb-client: checkpoints, expected
// states, errors, recorded events, $all filters and stream metadata. No I/O, so all of it is unit-tested.
import {
  ANY,
  type AppendStreamState,
  type CurrentStreamState,
  END,
  eventTypeFilter,
  type Filter,
  type JSONEventData,
  type StreamMetadata as KurrentStreamMetadata,
  NO_STREAM,
  type Position,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamTombstonedError,
  streamNameFilter,
  WrongExpectedVersionError,
} from "@kurrent/kurrentdb-client";
import type {
  AllFilter,
  Appended,
  EventData,
  ExpectedState,
  JsonObject,
  RecordedEvent,
  StreamDeleted,
  StreamMetadata,
  WrongExpectedVersion,
} from "../../../domain/ports/eventStore.ts";

const STORE = "KurrentDB event store";
const U64_MAX = 2n ** 64n - 1n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

// ---------------------------------------------------------------------------------------------------------
// Checkpoints: both halves of a $all position, so that resuming lands exactly between two events.

const CHECKPOINT = /^C:(0|[1-9]\d*)\/P:(0|[1-9]\d*)$/;

export function checkpointOf(position: Position): string {
  for (const part of [position.commit, position.prepare]) {
    if (part < 0n || part > U64_MAX) throw new RangeError(`${STORE}: position ${part} is outside 0…2^64-1`);
  }
  return `C:${position.commit}/P:${position.prepare}`;
}

export function positionOfCheckpoint(checkpoint: string): Position {
  const match = CHECKPOINT.exec(checkpoint);
  if (!match) {
    const hint = /^\d+$/.test(checkpoint) ? " (a plain number is a checkpoint of another event store)" : "";
    throw new Error(
      `${STORE}: "${checkpoint}" is not a KurrentDB checkpoint; expected C:<commit>/P:<prepare>${hint}`,
    );
  }
  const position = { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) };
  if (position.commit > U64_MAX || position.prepare > U64_MAX) {
    throw new Error(`${STORE}: checkpoint "${checkpoint}" is beyond the largest $all position`);
  }
  return position;
}

/** $all order: commit position first, then prepare position (events of one transaction share a commit). */
export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// Numbers: the client speaks bigint, the port speaks number; refuse rather than round.

export function revisionOf(revision: bigint): number {
  if (revision < 0n || revision > SAFE_MAX) {
    throw new RangeError(`${STORE}: stream revision ${revision} does not fit the port's revision number`);
  }
  return Number(revision);
}

/** The port's `position` is the commit position, as a number. */
export function positionNumberOf(position: Position): number {
  if (position.commit === U64_MAX) {
    throw new Error(
      `${STORE}: the server did not report the event's $all position (stream reads carry it from EventStoreDB 22.6 on)`,
    );
  }
  if (position.commit < 0n || position.commit > SAFE_MAX) {
    throw new RangeError(
      `${STORE}: commit position ${position.commit} is above Number.MAX_SAFE_INTEGER; use the checkpoint string instead`,
    );
  }
  return Number(position.commit);
}

// ---------------------------------------------------------------------------------------------------------
// Expected state ↔ the client's stream state.

export function streamStateOf(expected: ExpectedState): AppendStreamState {
  switch (expected) {
    case "any":
      return ANY;
    case "no_stream":
      return NO_STREAM;
    case "stream_exists":
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new RangeError(`${STORE}: expected revision must be a non-negative integer, got ${expected}`);
      }
      return BigInt(expected);
  }
}

/** What the server says a stream is at: a revision, or nothing (missing, soft-deleted: negative markers). */
export function actualRevisionOf(state: CurrentStreamState): number | "no_stream" {
  return state === NO_STREAM || state < 0n ? "no_stream" : revisionOf(state);
}

// ---------------------------------------------------------------------------------------------------------
// Errors: the expected failures become tagged outcomes, everything else an Error that names the store.

export function appendFailureOf(
  error: unknown,
  streamId: string,
  expected: ExpectedState,
): WrongExpectedVersion | StreamDeleted | undefined {
  if (error instanceof WrongExpectedVersionError) {
    return { _tag: "WrongExpectedVersion", streamId, expected, actual: actualRevisionOf(error.actualState) };
  }
  if (error instanceof StreamDeletedError || error instanceof StreamTombstonedError) {
    return { _tag: "StreamDeleted", streamId };
  }
  return undefined;
}

export function storeErrorOf(operation: string, error: unknown): Error {
  const parts: string[] = [];
  if (error instanceof Error) {
    const kind = "type" in error && typeof error.type === "string" ? error.type : undefined;
    if (kind) parts.push(kind);
    if (error.message && error.message !== kind && error.message !== error.constructor.name) {
      parts.push(error.message);
    }
    if (parts.length === 0) parts.push(error.constructor.name);
  } else {
    parts.push(String(error));
  }
  const unavailable =
    parts[0] === "unavailable" ? " (is a KurrentDB server listening at the connection string?)" : "";
  return new Error(`${STORE}: ${operation} failed: ${parts.join(": ")}${unavailable}`, { cause: error });
}

// ---------------------------------------------------------------------------------------------------------
// Events.

export function eventDataOf(event: EventData): JSONEventData {
  return {
    id: event.id,
    contentType: "application/json",
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  };
}

/** The fields of the client's recorded event that we read (its own type is a conditional union). */
export interface KurrentRecordedEvent {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  created: Date;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);

export function recordedEventOf(event: KurrentRecordedEvent): RecordedEvent {
  const where = `event ${event.id} (${event.streamId}@${event.revision})`;
  if (!event.isJson || !isJsonObject(event.data)) {
    throw new Error(`${STORE}: ${where} does not hold a JSON object; this store reads JSON events only`);
  }
  const metadata = event.metadata === undefined ? {} : event.metadata;
  if (!isJsonObject(metadata)) throw new Error(`${STORE}: ${where} has metadata that is not a JSON object`);
  if (!event.position) {
    throw new Error(
      `${STORE}: the server did not report the $all position of ${where} (stream reads carry it from EventStoreDB 22.6 on)`,
    );
  }
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata,
    streamId: event.streamId,
    revision: revisionOf(event.revision),
    position: positionNumberOf(event.position),
    checkpoint: checkpointOf(event.position),
    createdAt: event.created,
  };
}

export function appendedOf(nextExpectedRevision: number, position: Position): Appended {
  return {
    _tag: "Appended",
    nextExpectedRevision,
    position: positionNumberOf(position),
    checkpoint: checkpointOf(position),
  };
}

/** `$…` streams and event types belong to the server (metadata, tombstones, stats, links). */
export const isSystemEvent = (event: { streamId: string; type: string }) =>
  event.streamId.startsWith("$") || event.type.startsWith("$");

// ---------------------------------------------------------------------------------------------------------
// $all filters. The server applies one filter, on stream names or on event types. A filter on both is the
// stream-prefix filter on the server and the type check here; the full check also runs here every time,
// which is what skips system events that a server-side filter let through.

export interface AllFilterPlan {
  server: Filter;
  accepts(event: { streamId: string; type: string }): boolean;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/#\s-]/g, (c) => `\\${c}`);

/** Matches exactly these types (the server's type prefix filter would also match longer names). */
export const exactTypesRegex = (types: readonly string[]) => `^(?:${types.map(escapeRegex).join("|")})$`;

export const NON_SYSTEM_TYPES_REGEX = "^[^$]";

export function allFilterPlanOf(filter: AllFilter = {}): AllFilterPlan {
  const types = filter.eventTypes?.length ? new Set(filter.eventTypes) : undefined;
  const prefixes = filter.streamPrefixes?.length ? [...filter.streamPrefixes] : undefined;
  const server = prefixes
    ? streamNameFilter({ prefixes })
    : eventTypeFilter({ regex: types ? exactTypesRegex([...types]) : NON_SYSTEM_TYPES_REGEX });
  return {
    server,
    accepts: (event) =>
      !isSystemEvent(event) &&
      (!types || types.has(event.type)) &&
      (!prefixes || prefixes.some((prefix) => event.streamId.startsWith(prefix))),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Stream metadata ($tb, $maxCount, $maxAge; the client names them truncateBefore, maxCount, maxAge).

const nonNegativeInteger = (name: string, value: number) => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${STORE}: stream metadata ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
};

export function streamMetadataOf(metadata: KurrentStreamMetadata | undefined): StreamMetadata {
  const result: StreamMetadata = {};
  const tb = metadata?.truncateBefore;
  // a soft-deleted stream carries $tb = long.MaxValue, which JSON parsing rounds beyond the safe range
  if (tb === START) result.truncateBefore = 0;
  else if (tb === END) result.truncateBefore = Number.MAX_SAFE_INTEGER;
  else if (typeof tb === "number") result.truncateBefore = Math.min(tb, Number.MAX_SAFE_INTEGER);
  if (typeof metadata?.maxCount === "number") result.maxCount = metadata.maxCount;
  if (typeof metadata?.maxAge === "number") result.maxAge = metadata.maxAge;
  return result;
}

/** Our three settings replace the stream's; its other settings (ACL, cache control, custom keys) stay. */
export function kurrentStreamMetadataOf(
  metadata: StreamMetadata,
  current: KurrentStreamMetadata = {},
): KurrentStreamMetadata {
  const { truncateBefore: _tb, maxCount: _maxCount, maxAge: _maxAge, ...kept } = current;
  const result: KurrentStreamMetadata = { ...kept };
  if (metadata.truncateBefore !== undefined) {
    result.truncateBefore = nonNegativeInteger("truncateBefore", metadata.truncateBefore);
  }
  if (metadata.maxCount !== undefined) result.maxCount = nonNegativeInteger("maxCount", metadata.maxCount);
  if (metadata.maxAge !== undefined) result.maxAge = nonNegativeInteger("maxAge", metadata.maxAge);
  return result;
}
