import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type StreamEvent, streamEventSchema } from "../../schemas/events/streamEvents.ts";
import { DeciderSpecification } from "../../test/support/deciderSpecification.ts";
import type { StreamCommand } from "./streamCommands.ts";
import { streamDecider } from "./streamDecider.ts";
import type { StreamState } from "./streamState.ts";

const spec = DeciderSpecification.for(streamDecider, streamEventSchema);
const streamId = "3f2b1a9e-8c4d-4e6f-9a1b-2c3d4e5f6a7b";
const s1 = "00000000-0000-4000-8000-000000000001";
const s2 = "00000000-0000-4000-8000-000000000002";
const jobId = "00000000-0000-4000-8000-0000000000aa";
const hash = (n: number) => `hmac-sha256:${String(n).repeat(64).slice(0, 64)}`;
const key = (n: number) => ({
  keyHash: hash(n),
  sealedKey: `aes-256-gcm:${"A".repeat(16)}.${String(n).repeat(40)}.${"c".repeat(22)}`,
  keyHint: `k${n}${n}${n}`,
});
const t = (s: number) => new Date(Date.parse("2026-11-01T08:00:00.000Z") + s * 1000).toISOString();

const createdData = { streamId, title: "Live", description: "", archiveEnabled: true, ...key(1) };
const created: StreamEvent = { type: "StreamCreated", data: createdData };
const start = (sessionId: string, at: number, keyHash = hash(1)): StreamCommand => ({
  type: "StartSession",
  data: {
    streamId,
    sessionId,
    keyHash,
    protocol: "rtmp",
    remoteAddress: "127.0.0.1",
    at: t(at),
    reconnectWindowSeconds: 30,
  },
});
const started = (sessionId: string, at: number, record = true): StreamEvent => ({
  type: "StreamStarted",
  data: { streamId, sessionId, protocol: "rtmp", remoteAddress: "127.0.0.1", record, at: t(at) },
});
const interrupted = (sessionId: string, at: number): StreamEvent => ({
  type: "StreamInterrupted",
  data: { streamId, sessionId, reason: "socket closed", at: t(at) },
});
const ended = (
  sessionId: string,
  at: number,
  durationSeconds: number,
  reason = "publisher left",
): StreamEvent => ({
  type: "StreamEnded",
  data: { streamId, sessionId, reason, durationSeconds, at: t(at) },
});
const recording = {
  objectKey: `live/${streamId}/${s1}/recording.mp4`,
  durationSeconds: 10,
  bytes: 1000,
  segments: 3,
};
const recordingReady: StreamEvent = {
  type: "RecordingReady",
  data: { streamId, sessionId: s1, ...recording },
};

describe("stream decider", () => {
  it("creates a stream once (WE-STR-001 again); other commands need one (WE-STR-002)", () => {
    spec.given().when({ type: "CreateStream", data: createdData }).thenEmits(created);
    spec.given(created).when({ type: "CreateStream", data: createdData }).thenRejects({ code: "WE-STR-001" });
    spec.given().when(start(s1, 0)).thenRejects({ reason: "StreamNotFound", code: "WE-STR-002" });
    spec
      .given(created, { type: "StreamDeleted", data: { streamId } })
      .when({ type: "UpdateStream", data: { streamId, title: "x" } })
      .thenRejects({ code: "WE-STR-002" });
  });

  it("admits the current key only: a wrong or rotated key is refused (WE-STR-002)", () => {
    spec.given(created).when(start(s1, 0)).thenEmits(started(s1, 0));
    spec
      .given(created)
      .when(start(s1, 0, hash(2)))
      .thenRejects({ reason: "KeyRefused", code: "WE-STR-002" });
    const rotated: StreamEvent = { type: "StreamKeyRotated", data: { streamId, ...key(2) } };
    spec
      .given(created)
      .when({ type: "RotateStreamKey", data: { streamId, ...key(2) } })
      .thenEmits(rotated);
    spec.given(created, rotated).when(start(s1, 0)).thenRejects({ reason: "KeyRefused" });
    spec
      .given(created, rotated)
      .when(start(s1, 0, hash(2)))
      .thenEmits(started(s1, 0));
  });

  it("refuses a second publisher while one is connected (WE-STR-003)", () => {
    spec
      .given(created, started(s1, 0))
      .when(start(s2, 5))
      .thenRejects({ reason: "PublisherBusy", code: "WE-STR-003" });
  });

  it("resumes the same session within the reconnect window; after it, ends the old one and starts anew", () => {
    const given = [created, started(s1, 0), interrupted(s1, 10)];
    spec
      .given(created, started(s1, 0))
      .when({
        type: "InterruptSession",
        data: { streamId, sessionId: s1, reason: "socket closed", at: t(10) },
      })
      .thenEmits(interrupted(s1, 10));
    spec
      .given(...given)
      .when(start(s2, 40))
      .thenEmits({
        type: "StreamResumed",
        data: { streamId, sessionId: s1, protocol: "rtmp", remoteAddress: "127.0.0.1", at: t(40) },
      });
    spec
      .given(...given)
      .when(start(s2, 41))
      .thenEmits(
        ended(s1, 40, 10, "the publisher did not return within the reconnect window"),
        started(s2, 41),
      );
  });

  it("ends a session with its recording, and takes a recording that comes after the end", () => {
    spec
      .given(created, started(s1, 0))
      .when({
        type: "EndSession",
        data: { streamId, sessionId: s1, reason: "publisher left", at: t(12), recording },
      })
      .thenEmits(ended(s1, 12, 12), recordingReady);
    spec
      .given(created, started(s1, 0), ended(s1, 40, 10))
      .when({ type: "EndSession", data: { streamId, sessionId: s1, reason: "late", at: t(50), recording } })
      .thenEmits(recordingReady);
    spec
      .given(created, started(s1, 0), ended(s1, 40, 10), recordingReady)
      .when({ type: "EndSession", data: { streamId, sessionId: s1, reason: "again", at: t(50), recording } })
      .thenEmits();
    // a session not recorded (archive off when it began) keeps no recording
    spec
      .given(created, started(s1, 0, false))
      .when({
        type: "EndSession",
        data: { streamId, sessionId: s1, reason: "publisher left", at: t(12), recording },
      })
      .thenEmits(ended(s1, 12, 12));
  });

  it("asks a connected publisher to go; ends a session whose publisher is away at once", () => {
    const requested: StreamEvent = {
      type: "StreamEndRequested",
      data: { streamId, sessionId: s1, at: t(5) },
    };
    spec
      .given(created, started(s1, 0))
      .when({ type: "RequestEnd", data: { streamId, at: t(5) } })
      .thenEmits(requested);
    spec
      .given(created, started(s1, 0), interrupted(s1, 3))
      .when({ type: "RequestEnd", data: { streamId, at: t(5) } })
      .thenEmits(requested, ended(s1, 5, 3, "ended on request"));
    spec
      .given(created)
      .when({ type: "RequestEnd", data: { streamId, at: t(5) } })
      .thenEmits();
    // the kicked publisher leaving ends the session; it may not come back to it
    spec
      .given(created, started(s1, 0), requested)
      .when({ type: "InterruptSession", data: { streamId, sessionId: s1, reason: "kicked", at: t(6) } })
      .thenEmits(ended(s1, 6, 6, "ended on request"));
    spec
      .given(created, started(s1, 0), requested)
      .when(start(s2, 6))
      .thenRejects({ reason: "SessionEnding" });
  });

  it("changes title and description while live, but not archive, key or existence (WE-STR-003)", () => {
    const live = [created, started(s1, 0)];
    spec
      .given(...live)
      .when({
        type: "UpdateStream",
        data: { streamId, title: "New", description: "d", archiveEnabled: true },
      })
      .thenEmits({ type: "StreamUpdated", data: { streamId, title: "New", description: "d" } });
    spec
      .given(...live)
      .when({ type: "UpdateStream", data: { streamId, archiveEnabled: false } })
      .thenRejects({ reason: "StreamLive", code: "WE-STR-003" });
    spec
      .given(...live)
      .when({ type: "RotateStreamKey", data: { streamId, ...key(2) } })
      .thenRejects({ code: "WE-STR-003" });
    spec
      .given(...live)
      .when({ type: "DeleteStream", data: { streamId } })
      .thenRejects({ code: "WE-STR-003" });
    spec
      .given(created)
      .when({ type: "UpdateStream", data: { streamId, title: "Live" } })
      .thenEmits();
    spec
      .given(created)
      .when({ type: "UpdateStream", data: { streamId, archiveEnabled: false } })
      .thenEmits({ type: "StreamUpdated", data: { streamId, archiveEnabled: false } });
    spec
      .given(created)
      .when({ type: "DeleteStream", data: { streamId } })
      .thenEmits({ type: "StreamDeleted", data: { streamId } });
  });

  it("records one archive job per recorded session", () => {
    const given = [created, started(s1, 0), ended(s1, 10, 10), recordingReady];
    const archived: StreamEvent = {
      type: "StreamArchiveJobCreated",
      data: { streamId, sessionId: s1, jobId },
    };
    const command: StreamCommand = { type: "RecordArchiveJob", data: { streamId, sessionId: s1, jobId } };
    spec
      .given(...given)
      .when(command)
      .thenEmits(archived);
    spec
      .given(...given, archived)
      .when(command)
      .thenEmits();
    spec
      .given(created, started(s1, 0), ended(s1, 10, 10))
      .when(command)
      .thenEmits();
  });
});

describe("the session state machine (property)", () => {
  const WINDOW = 30;
  const step = fc.record({
    kind: fc.constantFrom("start", "interrupt", "end", "request", "update", "rotate"),
    after: fc.integer({ min: 0, max: 60 }),
    wrongKey: fc.boolean(),
  });

  it("holds at most one open session, resumes only within the window, never starts while connected", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let state: StreamState = streamDecider.evolve(streamDecider.initialState(), created);
        const log: StreamEvent[] = [created];
        let clock = 0;
        let ids = 0;
        for (const { kind, after, wrongKey } of steps) {
          clock += after;
          const at = t(clock);
          const open = state.status === "active" ? state.session : null;
          const sessionId = open?.sessionId ?? s1;
          const command: StreamCommand =
            kind === "start"
              ? {
                  ...start(
                    `00000000-0000-4000-8000-${String(++ids).padStart(12, "0")}`,
                    clock,
                    wrongKey ? hash(9) : hash(1),
                  ),
                }
              : kind === "interrupt"
                ? { type: "InterruptSession", data: { streamId, sessionId, reason: "drop", at } }
                : kind === "end"
                  ? { type: "EndSession", data: { streamId, sessionId, reason: "gone", at, recording: null } }
                  : kind === "request"
                    ? { type: "RequestEnd", data: { streamId, at } }
                    : kind === "update"
                      ? { type: "UpdateStream", data: { streamId, archiveEnabled: !wrongKey } }
                      : { type: "RotateStreamKey", data: { streamId, ...key(1) } };
          const decision = streamDecider.decide(command, state);
          if (decision._tag !== "Accepted") {
            if (kind === "start" && !wrongKey) expect(open?.status === "live").toBe(true);
            continue;
          }
          for (const event of decision.events) {
            expect(streamEventSchema.safeParse(event).success).toBe(true);
            if (event.type === "StreamResumed") {
              expect(open?.status).toBe("reconnecting");
              const away = (Date.parse(event.data.at) - Date.parse(open!.interruptedAt!)) / 1000;
              expect(away).toBeLessThanOrEqual(WINDOW);
              expect(event.data.sessionId).toBe(open!.sessionId);
            }
            if (event.type === "StreamStarted") {
              const before: StreamState = state;
              expect(before.status === "active" ? before.session : "none").toBeNull();
              expect(wrongKey).toBe(false);
            }
            if (
              event.type === "StreamKeyRotated" ||
              (event.type === "StreamUpdated" && event.data.archiveEnabled !== undefined)
            ) {
              expect(state.status === "active" ? state.session : "x").toBeNull();
            }
            state = streamDecider.evolve(state, event);
            log.push(event);
          }
          // one open session at most: every start is preceded by the end of the session before it
          let openCount = 0;
          for (const event of log) {
            if (event.type === "StreamStarted") openCount++;
            if (event.type === "StreamEnded") openCount--;
            expect(openCount === 0 || openCount === 1).toBe(true);
          }
          expect(state).toEqual(log.reduce(streamDecider.evolve, streamDecider.initialState()));
        }
      }),
      { numRuns: 300 },
    );
  });
});
