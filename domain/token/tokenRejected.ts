import { type ErrorCode, errors } from "../../schemas/errors.ts";

export type TokenRejection = "InvalidToken" | "TokenExists" | "TokenNotFound" | "TokenAlreadyRevoked";

/** A token command refused: why, the WE-* code the API answers with, what went wrong, what to do. */
export type TokenRejected = {
  _tag: "TokenRejected";
  reason: TokenRejection;
  code: ErrorCode;
  message: string;
  hint: string;
};

// The catalog has no token codes yet; until it does, its generic request, not-found and conflict codes
// stand in (400, 404, 409). A token id only repeats when a preset secret names an id already taken.
const codeOf: Record<TokenRejection, ErrorCode> = {
  InvalidToken: "WE-JOB-001",
  TokenExists: "WE-JOB-001",
  TokenNotFound: "WE-JOB-004",
  TokenAlreadyRevoked: "WE-JOB-005",
};

const hintOf: Record<TokenRejection, string> = {
  InvalidToken: errors["WE-JOB-001"].resolution,
  TokenExists: "Use another token id",
  TokenNotFound: "List tokens with GET /v1/tokens",
  TokenAlreadyRevoked: "No action needed: the token no longer works",
};

export const tokenRejected = (reason: TokenRejection, message: string): TokenRejected => ({
  _tag: "TokenRejected",
  reason,
  code: codeOf[reason],
  message,
  hint: hintOf[reason],
});
