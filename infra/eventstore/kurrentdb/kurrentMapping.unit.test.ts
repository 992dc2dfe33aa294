import {
  ANY,
  END,
  NO_STREAM,
  type Position,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamTombstonedError,
  UnavailableError,
  WrongExpectedVersionError,
} from "@kurrent/kurrentdb-client";
import {
  prepareStreamMetadata,
  readStreamMetadata,
} from "@kurrent/kurrentdb-client/dist/streams/utils/streamMetadata.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StreamMetadata } from "../../../domain/ports/eventStore.ts";
import {
  actualRevisionOf,
  allFilterPlanOf,
  appendedOf,
  appendFailureOf,
  checkpointOf,
  comparePositions,
  eventDataOf,
  exactTypesRegex,
  type KurrentRecordedEvent,
  kurrentStreamMetadataOf,
  positionNumberOf,
  positionOfCheckpoint,
  recordedEventOf,
  revisionOf,
  storeErrorOf,
  streamMetadataOf,
  streamStateOf,
} from "./kurrentMapping.ts";

const U64_MAX = 2n ** 64n - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const position = (commit: bigint, prepare = commit): Position => ({ commit, prepare });
const arbitraryPosition = fc
  .record({ commit: fc.bigInt({ min: 0n, max: U64_MAX }), prepare: fc.bigInt({ min: 0n, max: U64_MAX }) })
  .map(({ commit, prepare }) => position(commit, prepare));

describe("checkpoints", () => {
  it("encode both halves of the position and round-trip every 64-bit value", () => {
    expect(checkpointOf(position(1234n, 1200n))).toBe("C:1234/P:1200");
    fc.assert(
      fc.property(arbitraryPosition, (p) => {
        const checkpoint = checkpointOf(p);
        expect(positionOfCheckpoint(checkpoint)).toEqual(p);
        expect(checkpointOf(positionOfCheckpoint(checkpoint))).toBe(checkpoint);
      }),
    );
  });

  it("keep values above 2^53 exact in the string", () => {
    const big = position(2n ** 53n + 1n, U64_MAX);
    expect(checkpointOf(big)).toBe("C:9007199254740993/P:18446744073709551615");
    expect(positionOfCheckpoint("C:9007199254740993/P:18446744073709551615")).toEqual(big);
  });

  it("refuse another store's plain decimal checkpoint, saying so", () => {
    expect(() => positionOfCheckpoint("42")).toThrow(
      /KurrentDB event store: "42" is not a KurrentDB checkpoint.*C:<commit>\/P:<prepare>.*another event store/,
    );
  });

  it.each([
    "",
    "start",
    "C:1/P:",
    "C:/P:1",
    "C:1",
    "c:1/p:1",
    "C:01/P:1",
    "C:-1/P:0",
    "C:1/P:1 ",
    "C:1.5/P:1",
    "P:1/C:1",
  ])("refuse the malformed checkpoint %j", (checkpoint) => {
    expect(() => positionOfCheckpoint(checkpoint)).toThrow(/is not a KurrentDB checkpoint/);
  });

  it("refuse positions beyond 64 bits, both ways", () => {
    expect(() => positionOfCheckpoint(`C:${U64_MAX + 1n}/P:0`)).toThrow(/beyond the largest \$all position/);
    expect(() => checkpointOf(position(-1n, 0n))).toThrow(RangeError);
    expect(() => checkpointOf(position(0n, U64_MAX + 1n))).toThrow(RangeError);
  });

  it("order positions by commit, then prepare", () => {
    expect(comparePositions(position(5n, 9n), position(6n, 1n))).toBe(-1);
    expect(comparePositions(position(5n, 2n), position(5n, 1n))).toBe(1);
    expect(comparePositions(position(5n, 2n), position(5n, 2n))).toBe(0);
    fc.assert(
      fc.property(arbitraryPosition, arbitraryPosition, (a, b) => {
        expect(comparePositions(a, b)).toBe(-comparePositions(b, a) || 0);
      }),
    );
  });
});

describe("revision and position numbers", () => {
  it("convert up to Number.MAX_SAFE_INTEGER exactly", () => {
    expect(revisionOf(0n)).toBe(0);
    expect(revisionOf(SAFE)).toBe(Number.MAX_SAFE_INTEGER);
    expect(positionNumberOf(position(SAFE, 0n))).toBe(Number.MAX_SAFE_INTEGER);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: SAFE }), (n) => {
        expect(BigInt(positionNumberOf(position(n)))).toBe(n);
        expect(BigInt(revisionOf(n))).toBe(n);
      }),
    );
  });

  it("refuse a commit position above Number.MAX_SAFE_INTEGER with a clear error", () => {
    expect(() => positionNumberOf(position(SAFE + 1n, 0n))).toThrow(
      /commit position 9007199254740992 is above Number.MAX_SAFE_INTEGER; use the checkpoint/,
    );
    expect(() => revisionOf(SAFE + 1n)).toThrow(RangeError);
    expect(() => revisionOf(-1n)).toThrow(RangeError);
  });

  it("explain the 2^64-1 marker of servers that do not report positions on stream reads", () => {
    expect(() => positionNumberOf(position(U64_MAX, U64_MAX))).toThrow(/did not report .* 22\.6/);
  });
});

describe("expected state", () => {
  it("maps each state to the client's stream state", () => {
    expect(streamStateOf("any")).toBe(ANY);
    expect(streamStateOf("no_stream")).toBe(NO_STREAM);
    expect(streamStateOf("stream_exists")).toBe(STREAM_EXISTS);
    expect(streamStateOf(0)).toBe(0n);
    expect(streamStateOf(41)).toBe(41n);
  });

  it("gives every revision the client's bigint of it, and no two expectations the same state", () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (revision) => {
        expect(streamStateOf(revision)).toBe(BigInt(revision));
      }),
    );
    const named = (["any", "no_stream", "stream_exists"] as const).map(streamStateOf);
    expect(new Set(named).size).toBe(3);
    for (const state of named) expect(typeof state).not.toBe("bigint");
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])("refuses the revision %s", (revision) => {
    expect(() => streamStateOf(revision)).toThrow(/non-negative integer/);
  });

  it("reads the server's actual state: a revision, or no stream for missing and deleted markers", () => {
    expect(actualRevisionOf(NO_STREAM)).toBe("no_stream");
    expect(actualRevisionOf(-1n)).toBe("no_stream");
    expect(actualRevisionOf(-5n)).toBe("no_stream");
    expect(actualRevisionOf(7n)).toBe(7);
  });
});

describe("errors", () => {
  const wrongVersion = (current: bigint | "no_stream") =>
    new WrongExpectedVersionError(undefined, { streamName: "job-1", expected: 1n, current });

  it("a wrong expected version carries the actual revision", () => {
    expect(appendFailureOf(wrongVersion(2n), "job-1", 1)).toEqual({
      _tag: "WrongExpectedVersion",
      streamId: "job-1",
      expected: 1,
      actual: 2,
    });
  });

  it("a wrong expected version on a missing stream says no_stream", () => {
    expect(appendFailureOf(wrongVersion("no_stream"), "job-1", "stream_exists")).toEqual({
      _tag: "WrongExpectedVersion",
      streamId: "job-1",
      expected: "stream_exists",
      actual: "no_stream",
    });
  });

  it("a deleted or tombstoned stream is StreamDeleted", () => {
    expect(appendFailureOf(StreamDeletedError.fromStreamName("job-1"), "job-1", "any")).toEqual({
      _tag: "StreamDeleted",
      streamId: "job-1",
    });
    const tombstoned = Object.create(StreamTombstonedError.prototype) as StreamTombstonedError;
    expect(appendFailureOf(tombstoned, "job-1", "any")).toEqual({ _tag: "StreamDeleted", streamId: "job-1" });
  });

  it("anything else is not an expected failure", () => {
    expect(appendFailureOf(new UnavailableError(), "job-1", "any")).toBeUndefined();
    expect(appendFailureOf(new Error("boom"), "job-1", "any")).toBeUndefined();
    expect(appendFailureOf("boom", "job-1", "any")).toBeUndefined();
  });

  it("unexpected errors become Errors naming the store and the operation, keeping the cause", () => {
    const unavailable = new UnavailableError(undefined, "14 UNAVAILABLE: No connection established");
    const error = storeErrorOf('append to stream "job-1"', unavailable);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(
      'KurrentDB event store: append to stream "job-1" failed: unavailable: 14 UNAVAILABLE: No connection established' +
        " (is a KurrentDB server listening at the connection string?)",
    );
    expect(error.cause).toBe(unavailable);
    expect(storeErrorOf("read $all", new UnavailableError()).message).toBe(
      "KurrentDB event store: read $all failed: unavailable (is a KurrentDB server listening at the connection string?)",
    );
    expect(storeErrorOf("read $all", new Error("socket hang up")).message).toBe(
      "KurrentDB event store: read $all failed: socket hang up",
    );
    expect(storeErrorOf("read $all", "weird").message).toBe("KurrentDB event store: read $all failed: weird");
  });
});

describe("events", () => {
  const recorded = (overrides: Partial<KurrentRecordedEvent> = {}): KurrentRecordedEvent => ({
    streamId: "job-1",
    id: "8f7c3f9e-6a43-4a4e-9d5b-3f1f0d2a9c11",
    type: "JobSubmitted",
    revision: 3n,
    created: new Date("2025-01-02T03:04:05.678Z"),
    isJson: true,
    data: { title: "Ünïcødé 🎬" },
    metadata: { correlationId: "c-1", schemaVersion: 1 },
    position: position(4096n, 4000n),
    ...overrides,
  });

  it("sends our events as JSON events with their ids", () => {
    expect(eventDataOf({ id: "id-1", type: "JobSubmitted", data: { a: 1 }, metadata: { b: 2 } })).toEqual({
      id: "id-1",
      contentType: "application/json",
      type: "JobSubmitted",
      data: { a: 1 },
      metadata: { b: 2 },
    });
  });

  it("maps a recorded event: numbers from bigints, checkpoint from the position, createdAt from created", () => {
    expect(recordedEventOf(recorded())).toEqual({
      id: "8f7c3f9e-6a43-4a4e-9d5b-3f1f0d2a9c11",
      type: "JobSubmitted",
      data: { title: "Ünïcødé 🎬" },
      metadata: { correlationId: "c-1", schemaVersion: 1 },
      streamId: "job-1",
      revision: 3,
      position: 4096,
      checkpoint: "C:4096/P:4000",
      createdAt: new Date("2025-01-02T03:04:05.678Z"),
    });
  });

  it("reads missing metadata as an empty object", () => {
    expect(recordedEventOf(recorded({ metadata: undefined })).metadata).toEqual({});
  });

  it("refuses events that are not JSON objects", () => {
    expect(() => recordedEventOf(recorded({ isJson: false, data: new Uint8Array([1]) }))).toThrow(
      /event 8f7c3f9e.* \(job-1@3\) does not hold a JSON object/,
    );
    expect(() => recordedEventOf(recorded({ data: [1, 2] }))).toThrow(/does not hold a JSON object/);
    expect(() => recordedEventOf(recorded({ data: "text" }))).toThrow(/does not hold a JSON object/);
    expect(() => recordedEventOf(recorded({ metadata: new Uint8Array([1]) }))).toThrow(/metadata/);
  });

  it("refuses an event without a position, or one past the safe range", () => {
    expect(() => recordedEventOf(recorded({ position: undefined }))).toThrow(
      /did not report the \$all position/,
    );
    expect(() => recordedEventOf(recorded({ position: position(SAFE + 1n, 0n) }))).toThrow(
      /above Number.MAX_SAFE_INTEGER/,
    );
    expect(() => recordedEventOf(recorded({ revision: SAFE + 1n }))).toThrow(/revision/);
  });

  it("reports an append with the commit position as number and both halves as checkpoint", () => {
    expect(appendedOf(4, position(9000n, 8990n))).toEqual({
      _tag: "Appended",
      nextExpectedRevision: 4,
      position: 9000,
      checkpoint: "C:9000/P:8990",
    });
  });
});

describe("$all filters", () => {
  const event = (streamId: string, type: string) => ({ streamId, type });

  it("without a filter, the server skips system event types and the check here skips system streams", () => {
    const plan = allFilterPlanOf();
    expect(plan.server).toMatchObject({ filterOn: "eventType", regex: "^[^$]" });
    expect(new RegExp((plan.server as { regex: string }).regex).test("$metadata")).toBe(false);
    expect(plan.accepts(event("job-1", "JobSubmitted"))).toBe(true);
    expect(plan.accepts(event("job-1", "$streamDeleted"))).toBe(false);
    expect(plan.accepts(event("$$job-1", "$metadata"))).toBe(false);
    expect(plan.accepts(event("$stats-127.0.0.1:2113", "Custom"))).toBe(false);
  });

  it("stream prefixes filter on the server", () => {
    const plan = allFilterPlanOf({ streamPrefixes: ["job-", "task-"] });
    expect(plan.server).toMatchObject({ filterOn: "streamName", prefixes: ["job-", "task-"] });
    expect(plan.accepts(event("job-1", "A"))).toBe(true);
    expect(plan.accepts(event("task-1", "A"))).toBe(true);
    expect(plan.accepts(event("user-1", "A"))).toBe(false);
  });

  it("event types filter on the server with an exact-match regex", () => {
    const plan = allFilterPlanOf({ eventTypes: ["Beta", "Job.Done"] });
    expect(plan.server).toMatchObject({ filterOn: "eventType" });
    const regex = new RegExp((plan.server as { regex: string }).regex);
    expect(["Beta", "Job.Done"].map((t) => regex.test(t))).toEqual([true, true]);
    expect(["BetaTwo", "XBeta", "JobxDone", "$Beta"].map((t) => regex.test(t))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(plan.accepts(event("job-1", "Beta"))).toBe(true);
    expect(plan.accepts(event("job-1", "Gamma"))).toBe(false);
  });

  it("the exact-types regex matches exactly the listed names, whatever characters they hold", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 4 }),
        fc.string(),
        (types, other) => {
          const regex = new RegExp(exactTypesRegex(types));
          for (const type of types) expect(regex.test(type)).toBe(true);
          expect(regex.test(other)).toBe(types.includes(other));
        },
      ),
    );
  });

  it("a combined filter is the stream filter on the server plus the type check here", () => {
    const plan = allFilterPlanOf({ streamPrefixes: ["job-"], eventTypes: ["Wanted"] });
    expect(plan.server).toMatchObject({ filterOn: "streamName", prefixes: ["job-"] });
    expect(plan.server).not.toHaveProperty("regex");
    expect(plan.accepts(event("job-1", "Wanted"))).toBe(true);
    expect(plan.accepts(event("job-1", "Unwanted"))).toBe(false);
    expect(plan.accepts(event("user-1", "Wanted"))).toBe(false);
  });

  it("empty lists filter nothing", () => {
    const plan = allFilterPlanOf({ streamPrefixes: [], eventTypes: [] });
    expect(plan.server).toMatchObject({ filterOn: "eventType", regex: "^[^$]" });
    expect(plan.accepts(event("anything", "Anything"))).toBe(true);
  });
});

describe("stream metadata", () => {
  it("reads truncate-before, max-count and max-age, ignoring the rest", () => {
    expect(streamMetadataOf(undefined)).toEqual({});
    expect(
      streamMetadataOf({
        truncateBefore: 4,
        maxCount: 2,
        maxAge: 60,
        acl: { readRoles: ["$all"] },
        custom: 1,
      }),
    ).toEqual({ truncateBefore: 4, maxCount: 2, maxAge: 60 });
  });

  it("reads the soft-delete marker (long.MaxValue) and the start/end words within the safe range", () => {
    expect(streamMetadataOf(readStreamMetadata(JSON.parse('{"$tb":9223372036854775807}')))).toEqual({
      truncateBefore: Number.MAX_SAFE_INTEGER,
    });
    expect(streamMetadataOf({ truncateBefore: START })).toEqual({ truncateBefore: 0 });
    expect(streamMetadataOf({ truncateBefore: END })).toEqual({ truncateBefore: Number.MAX_SAFE_INTEGER });
  });

  it("writes $tb, $maxCount and $maxAge through the client", () => {
    expect(
      prepareStreamMetadata(kurrentStreamMetadataOf({ truncateBefore: 4, maxCount: 2, maxAge: 60 })),
    ).toEqual({ $tb: 4, $maxCount: 2, $maxAge: 60 });
  });

  it("replaces our three settings and keeps the stream's others", () => {
    const current = { truncateBefore: 9, maxAge: 10, acl: { readRoles: ["ops"] }, owner: "platform" };
    expect(kurrentStreamMetadataOf({ maxCount: 5 }, current)).toEqual({
      maxCount: 5,
      acl: { readRoles: ["ops"] },
      owner: "platform",
    });
  });

  it("round-trips", () => {
    const metadata = fc.record<StreamMetadata>(
      { truncateBefore: fc.nat(), maxCount: fc.nat(), maxAge: fc.nat() },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(metadata, (m) => {
        expect(
          streamMetadataOf(readStreamMetadata(prepareStreamMetadata(kurrentStreamMetadataOf(m)))),
        ).toEqual(m);
      }),
    );
  });

  it.each([{ maxCount: -1 }, { maxAge: 1.5 }, { truncateBefore: Number.NaN }])("refuses %j", (metadata) => {
    expect(() => kurrentStreamMetadataOf(metadata)).toThrow(/must be a non-negative integer/);
  });
});
