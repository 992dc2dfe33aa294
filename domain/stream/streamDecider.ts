// The live-stream aggregate as a decider value. idle → live ⇄ reconnecting → idle again (the session
// ended, kept among the past ones). A publisher that returns within the reconnect window resumes its
// session; after it, the old session ends and a new one starts. Settings other than title and
// description, the key and the stream itself stay as they are while a session is open.
import { match } from "ts-pattern";
import type { StreamEvent } from "../../schemas/events/streamEvents.ts";
import type { EndSession, StartSession, StreamCommand } from "./streamCommands.ts";
import { type StreamRejected, streamRejected } from "./streamRejected.ts";
import { type ActiveStream, initialState, type OpenSession, type StreamState } from "./streamState.ts";

export type StreamDecision = { _tag: "Accepted"; events: StreamEvent[] } | StreamRejected;

const accepted = (...events: StreamEvent[]): StreamDecision => ({ _tag: "Accepted", events });

const notFound = (streamId: string) => streamRejected("StreamNotFound", `No stream ${streamId}`);
const live = (streamId: string, what: string) =>
  streamRejected("StreamLive", `Stream ${streamId} is live: ${what} waits until it has ended`);

const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/** The moment the session's publisher was last connected. */
const lastConnected = (session: OpenSession, at: string) =>
  session.status === "reconnecting" && session.interruptedAt !== null ? session.interruptedAt : at;

function ended(state: ActiveStream, session: OpenSession, reason: string, at: string): StreamEvent {
  const until = lastConnected(session, at);
  return {
    type: "StreamEnded",
    data: {
      streamId: state.streamId,
      sessionId: session.sessionId,
      reason,
      durationSeconds: seconds(session.startedAt, until),
      at,
    },
  };
}

function start(state: ActiveStream, { data }: StartSession): StreamDecision {
  if (data.keyHash !== state.keyHash)
    return streamRejected("KeyRefused", `The key presented is not stream ${state.streamId}'s current key`);
  const session = state.session;
  const started: StreamEvent = {
    type: "StreamStarted",
    data: {
      streamId: state.streamId,
      sessionId: data.sessionId,
      protocol: data.protocol,
      remoteAddress: data.remoteAddress,
      record: state.archiveEnabled,
      at: data.at,
    },
  };
  if (session === null) return accepted(started);
  if (session.status === "live") {
    return session.endRequested
      ? streamRejected("SessionEnding", `Stream ${state.streamId}'s session is ending`)
      : streamRejected("PublisherBusy", `Another publisher is live on stream ${state.streamId}`);
  }
  const away = seconds(session.interruptedAt ?? data.at, data.at);
  if (away <= data.reconnectWindowSeconds) {
    return accepted({
      type: "StreamResumed",
      data: {
        streamId: state.streamId,
        sessionId: session.sessionId,
        protocol: data.protocol,
        remoteAddress: data.remoteAddress,
        at: data.at,
      },
    });
  }
  // the window passed unnoticed: the old session ends where the window closed, a new one begins
  const closed = new Date(
    Date.parse(session.interruptedAt ?? data.at) + data.reconnectWindowSeconds * 1000,
  ).toISOString();
  return accepted(
    ended(state, session, "the publisher did not return within the reconnect window", closed),
    started,
  );
}

function end(state: ActiveStream, { data }: EndSession): StreamDecision {
  const recordingReady = (): StreamEvent[] =>
    data.recording === null
      ? []
      : [
          {
            type: "RecordingReady",
            data: { streamId: state.streamId, sessionId: data.sessionId, ...data.recording },
          },
        ];
  const session = state.session;
  if (session !== null && session.sessionId === data.sessionId) {
    return accepted(ended(state, session, data.reason, data.at), ...(session.record ? recordingReady() : []));
  }
  // a session that ended already (its window passed, or it was ended while away): only its recording
  const past = state.sessions[data.sessionId];
  if (past?.record && !past.recorded) return accepted(...recordingReady());
  return accepted();
}

function decide(command: StreamCommand, state: StreamState): StreamDecision {
  if (command.type === "CreateStream") {
    return state.status === "initial"
      ? accepted({ type: "StreamCreated", data: command.data })
      : streamRejected("StreamExists", `Stream ${command.data.streamId} exists`);
  }
  if (state.status !== "active") return notFound(command.data.streamId);
  return match(command)
    .returnType<StreamDecision>()
    .with({ type: "UpdateStream" }, ({ data }) => {
      const changed = {
        ...(data.title !== undefined && data.title !== state.title ? { title: data.title } : {}),
        ...(data.description !== undefined && data.description !== state.description
          ? { description: data.description }
          : {}),
        ...(data.archiveEnabled !== undefined && data.archiveEnabled !== state.archiveEnabled
          ? { archiveEnabled: data.archiveEnabled }
          : {}),
      };
      if (changed.archiveEnabled !== undefined && state.session !== null)
        return live(state.streamId, "archive_enabled");
      if (Object.keys(changed).length === 0) return accepted();
      return accepted({ type: "StreamUpdated", data: { streamId: state.streamId, ...changed } });
    })
    .with({ type: "RotateStreamKey" }, ({ data }) =>
      state.session !== null
        ? live(state.streamId, "a new key")
        : accepted({ type: "StreamKeyRotated", data }),
    )
    .with({ type: "StartSession" }, (start_) => start(state, start_))
    .with({ type: "InterruptSession" }, ({ data }) => {
      const session = state.session;
      if (session === null || session.sessionId !== data.sessionId || session.status !== "live")
        return accepted();
      // the publisher was asked to go: its leaving ends the session, no window to wait for
      if (session.endRequested) return accepted(ended(state, session, "ended on request", data.at));
      return accepted({ type: "StreamInterrupted", data: { streamId: state.streamId, ...pick(data) } });
    })
    .with({ type: "EndSession" }, (end_) => end(state, end_))
    .with({ type: "RequestEnd" }, ({ data }) => {
      const session = state.session;
      if (session === null || session.endRequested) return accepted();
      const requested: StreamEvent = {
        type: "StreamEndRequested",
        data: { streamId: state.streamId, sessionId: session.sessionId, at: data.at },
      };
      // nobody is connected to disconnect: the session ends now
      if (session.status === "reconnecting")
        return accepted(requested, ended(state, session, "ended on request", data.at));
      return accepted(requested);
    })
    .with({ type: "DeleteStream" }, () =>
      state.session !== null
        ? live(state.streamId, "deleting it")
        : accepted({ type: "StreamDeleted", data: { streamId: state.streamId } }),
    )
    .with({ type: "RecordArchiveJob" }, ({ data }) => {
      const past = state.sessions[data.sessionId];
      if (past === undefined || !past.recorded || past.archiveJobId !== null) return accepted();
      return accepted({ type: "StreamArchiveJobCreated", data });
    })
    .exhaustive();
}

const pick = ({ sessionId, reason, at }: { sessionId: string; reason: string; at: string }) => ({
  sessionId,
  reason,
  at,
});

function evolveActive(state: ActiveStream, event: StreamEvent): StreamState {
  const session = state.session;
  return match(event)
    .returnType<StreamState>()
    .with({ type: "StreamCreated" }, () => state)
    .with({ type: "StreamUpdated" }, ({ data }) => ({
      ...state,
      title: data.title ?? state.title,
      description: data.description ?? state.description,
      archiveEnabled: data.archiveEnabled ?? state.archiveEnabled,
    }))
    .with({ type: "StreamKeyRotated" }, ({ data }) => ({
      ...state,
      keyHash: data.keyHash,
      sealedKey: data.sealedKey,
    }))
    .with({ type: "StreamStarted" }, ({ data }) => ({
      ...state,
      session: {
        sessionId: data.sessionId,
        status: "live",
        startedAt: data.at,
        interruptedAt: null,
        endRequested: false,
        record: data.record,
      },
    }))
    .with({ type: "StreamInterrupted" }, ({ data }) =>
      session?.sessionId === data.sessionId
        ? { ...state, session: { ...session, status: "reconnecting", interruptedAt: data.at } }
        : state,
    )
    .with({ type: "StreamResumed" }, ({ data }) =>
      session?.sessionId === data.sessionId
        ? { ...state, session: { ...session, status: "live", interruptedAt: null } }
        : state,
    )
    .with({ type: "StreamEndRequested" }, ({ data }) =>
      session?.sessionId === data.sessionId
        ? { ...state, session: { ...session, endRequested: true } }
        : state,
    )
    .with({ type: "StreamEnded" }, ({ data }) =>
      session?.sessionId === data.sessionId
        ? {
            ...state,
            session: null,
            sessions: {
              ...state.sessions,
              [data.sessionId]: { record: session.record, recorded: false, archiveJobId: null },
            },
          }
        : state,
    )
    .with({ type: "RecordingReady" }, ({ data }) => {
      const past = state.sessions[data.sessionId];
      return past === undefined
        ? state
        : { ...state, sessions: { ...state.sessions, [data.sessionId]: { ...past, recorded: true } } };
    })
    .with({ type: "StreamArchiveJobCreated" }, ({ data }) => {
      const past = state.sessions[data.sessionId];
      return past === undefined
        ? state
        : {
            ...state,
            sessions: { ...state.sessions, [data.sessionId]: { ...past, archiveJobId: data.jobId } },
          };
    })
    .with({ type: "StreamDeleted" }, ({ data }) => ({ status: "deleted", streamId: data.streamId }))
    .exhaustive();
}

function evolve(state: StreamState, event: StreamEvent): StreamState {
  if (event.type === "StreamCreated") {
    const { keyHash, sealedKey, streamId, title, description, archiveEnabled } = event.data;
    return {
      status: "active",
      streamId,
      title,
      description,
      archiveEnabled,
      keyHash,
      sealedKey,
      session: null,
      sessions: {},
    };
  }
  return state.status === "active" ? evolveActive(state, event) : state;
}

export const streamDecider = { decide, evolve, initialState };
