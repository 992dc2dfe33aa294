import type { ErrorCode } from "../../schemas/errors.ts";

export type RestreamRejection =
  | "InvalidRestream"
  | "InvalidDestination"
  | "RestreamExists"
  | "RestreamNotFound"
  | "RestreamChanged"
  | "AlreadyStreaming"
  | "NotStreaming";

/** A restream command refused: why, the WE-* code the API answers with, what went wrong, what to do. */
export type RestreamRejected = {
  _tag: "RestreamRejected";
  reason: RestreamRejection;
  code: ErrorCode;
  message: string;
  hint: string;
};

const codeOf: Record<RestreamRejection, ErrorCode> = {
  InvalidRestream: "WE-STR-013",
  InvalidDestination: "WE-STR-005",
  RestreamExists: "WE-STR-013",
  RestreamNotFound: "WE-STR-010",
  RestreamChanged: "WE-STR-012",
  AlreadyStreaming: "WE-STR-011",
  NotStreaming: "WE-STR-014",
};

const hintOf: Record<RestreamRejection, string> = {
  InvalidRestream: "Correct the fields named in the message",
  InvalidDestination: "Use rtmp://host/app/key, rtmps://host/app/key or srt://host:port?streamid=…",
  RestreamExists: "Create it under another id",
  RestreamNotFound: "List restreams with GET /v1/restreams",
  RestreamChanged: "Read the restream again (GET /v1/restreams/{id}) and repeat the edit",
  AlreadyStreaming: "Stop it first (POST /v1/restreams/{id}/stop), or leave it running",
  NotStreaming: "Start it first (POST /v1/restreams/{id}/start)",
};

export const restreamRejected = (reason: RestreamRejection, message: string): RestreamRejected => ({
  _tag: "RestreamRejected",
  reason,
  code: codeOf[reason],
  message,
  hint: hintOf[reason],
});
