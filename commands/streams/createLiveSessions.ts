// The stream aggregate's side of the LiveSessions port: a publisher's key is looked up by its hash and
// the stream decides (a new session, the same one within the reconnect window, or a refusal); the
// ingest's reports of drops and ends become the session's events.
import type { CommandContext } from "../../domain/ports/commandOutcome.ts";
import type { LiveSessions, OpenLiveSession, PublishVerdict } from "../../domain/ports/liveSessions.ts";
import { liveStream } from "../../schemas/events/streamNames.ts";
import type { CommandDeps } from "../executeCommand.ts";
import { executeStreamCommand, loadStream } from "./executeStreamCommand.ts";
import type { StreamKeyLookup } from "./streamKeyLookup.ts";
import type { StreamKeyVault } from "./streamKeyVault.ts";

export interface LiveSessionsOptions extends CommandDeps {
  vault: StreamKeyVault;
  findStreamByKeyHash: StreamKeyLookup;
  /** How long a dropped publisher may take to come back to its session. */
  reconnectWindowSeconds: number;
}

export function createLiveSessions(options: LiveSessionsOptions): LiveSessions {
  const deps: CommandDeps = { store: options.store, newId: options.newId, now: options.now };
  const context = (): CommandContext => {
    const id = options.newId();
    return { correlationId: id, causationId: id, actor: { userId: "system:live", role: "system" } };
  };
  return {
    async openSessions() {
      // every stream that ever went live, then each as its log says it is now
      const streamIds = new Set<string>();
      let from: string | "start" = "start";
      for (;;) {
        const page = await options.store.readAll({
          from,
          maxCount: 1000,
          filter: { eventTypes: ["StreamStarted"], streamPrefixes: [liveStream.prefix] },
        });
        for (const event of page) {
          if (liveStream.matches(event.streamId)) streamIds.add(liveStream.idOf(event.streamId));
        }
        const last = page.at(-1);
        if (last === undefined || page.length < 1000) break;
        from = last.checkpoint;
      }
      const open: OpenLiveSession[] = [];
      for (const streamId of streamIds) {
        const state = await loadStream(options.store, streamId);
        if (state.status !== "active" || state.session === null) continue;
        const { sessionId, status, startedAt, interruptedAt, endRequested, record } = state.session;
        open.push({ streamId, sessionId, status, startedAt, interruptedAt, endRequested, record });
      }
      return open;
    },
    async admit(attempt): Promise<PublishVerdict> {
      const streamId = await options.findStreamByKeyHash(options.vault.hash(attempt.streamKey));
      if (streamId === null) return { _tag: "Denied", code: "WE-STR-002", reason: "unknown stream key" };
      const sessionId = options.newId();
      const result = await executeStreamCommand(
        deps,
        {
          type: "StartSession",
          data: {
            streamId,
            sessionId,
            keyHash: options.vault.hash(attempt.streamKey),
            protocol: attempt.protocol,
            remoteAddress: attempt.remoteAddress,
            at: options.now().toISOString(),
            reconnectWindowSeconds: options.reconnectWindowSeconds,
          },
        },
        context(),
      );
      if (result._tag === "StreamRejected")
        return { _tag: "Denied", code: result.code, reason: result.message };
      const session = result.state.status === "active" ? result.state.session : null;
      if (session === null) throw new Error(`stream ${streamId}: admitted without an open session`);
      return {
        _tag: "Allowed",
        streamId,
        sessionId: session.sessionId,
        resumed: session.sessionId !== sessionId,
        record: session.record,
      };
    },
    async interrupted(streamId, sessionId, reason, at) {
      await executeStreamCommand(
        deps,
        {
          type: "InterruptSession",
          data: { streamId, sessionId, reason, at: at ?? options.now().toISOString() },
        },
        context(),
      );
    },
    async ended(streamId, sessionId, { reason, recording }) {
      // a stream deleted since has nothing left to record: the rejection is the answer
      await executeStreamCommand(
        deps,
        {
          type: "EndSession",
          data: { streamId, sessionId, reason, at: options.now().toISOString(), recording },
        },
        context(),
      );
    },
  };
}
