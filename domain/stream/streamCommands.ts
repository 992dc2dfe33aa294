// What may be asked of a live stream: its settings and key (operators), its sessions (the live ingest,
// through the LiveSessions port) and its archive (the archive reactor). Times, ids and the reconnect
// window come in the command: the decider reads no clock.
import type { LiveProtocolName } from "../../schemas/events/streamEvents.ts";

/** A key as events keep it: its keyed hash, sealed, and its last four characters. */
export interface StoredStreamKey {
  keyHash: string;
  sealedKey: string;
  keyHint: string;
}

export type CreateStream = {
  type: "CreateStream";
  data: { streamId: string; title: string; description: string; archiveEnabled: boolean } & StoredStreamKey;
};
export type UpdateStream = {
  type: "UpdateStream";
  data: { streamId: string; title?: string; description?: string; archiveEnabled?: boolean };
};
export type RotateStreamKey = { type: "RotateStreamKey"; data: { streamId: string } & StoredStreamKey };
export type StartSession = {
  type: "StartSession";
  data: {
    streamId: string;
    /** The id a new session takes; a resumed session keeps its own. */
    sessionId: string;
    /** The hash of the key the publisher presented. */
    keyHash: string;
    protocol: LiveProtocolName;
    remoteAddress: string;
    at: string;
    reconnectWindowSeconds: number;
  };
};
export type InterruptSession = {
  type: "InterruptSession";
  data: { streamId: string; sessionId: string; reason: string; at: string };
};
export type EndSession = {
  type: "EndSession";
  data: {
    streamId: string;
    sessionId: string;
    reason: string;
    at: string;
    recording: { objectKey: string; durationSeconds: number; bytes: number; segments: number } | null;
  };
};
export type RequestEnd = { type: "RequestEnd"; data: { streamId: string; at: string } };
export type DeleteStream = { type: "DeleteStream"; data: { streamId: string } };
export type RecordArchiveJob = {
  type: "RecordArchiveJob";
  data: { streamId: string; sessionId: string; jobId: string };
};

export type StreamCommand =
  | CreateStream
  | UpdateStream
  | RotateStreamKey
  | StartSession
  | InterruptSession
  | EndSession
  | RequestEnd
  | DeleteStream
  | RecordArchiveJob;
