import type { ErrorCode } from "../../schemas/errors.ts";

/**
 * StreamLive: settings, key or deletion while a session is open; PublisherBusy: a second publisher on a
 * key whose publisher is connected; SessionEnding: a publisher returning to a session asked to end.
 * All three answer WE-STR-003 (409), as a busy key does at publish time.
 */
export type StreamRejection =
  | "StreamExists"
  | "StreamNotFound"
  | "KeyRefused"
  | "StreamLive"
  | "PublisherBusy"
  | "SessionEnding";

/** A stream command refused: why, the WE-* code the API answers with, what went wrong, what to do. */
export type StreamRejected = {
  _tag: "StreamRejected";
  reason: StreamRejection;
  code: ErrorCode;
  message: string;
  hint: string;
};

const codeOf: Record<StreamRejection, ErrorCode> = {
  StreamExists: "WE-STR-001",
  StreamNotFound: "WE-STR-002",
  KeyRefused: "WE-STR-002",
  StreamLive: "WE-STR-003",
  PublisherBusy: "WE-STR-003",
  SessionEnding: "WE-STR-003",
};

const hintOf: Record<StreamRejection, string> = {
  StreamExists: "Create the stream without an id of your own",
  StreamNotFound: "List streams with GET /v1/streams",
  KeyRefused: "Publish with the stream's current key (GET /v1/streams/{id}/key)",
  StreamLive: "End the stream first (POST /v1/streams/{id}/end)",
  PublisherBusy: "Another publisher is live on this key: stop it, or end the stream first",
  SessionEnding: "The session is ending; publish again once it has ended",
};

export const streamRejected = (reason: StreamRejection, message: string): StreamRejected => ({
  _tag: "StreamRejected",
  reason,
  code: codeOf[reason],
  message,
  hint: hintOf[reason],
});
