// The one place WE-* codes become HTTP answers, in the spec's shape:
// { error: { code, message, details, hint, request_id, timestamp, docs_url } }.
import { type ErrorCode, errors } from "../../schemas/errors.ts";

export interface ApiErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details: string;
    hint: string;
    request_id: string;
    timestamp: string;
    docs_url: string;
  };
}

/** Thrown by routes and middleware; the app's error handler renders it. */
export class ApiError extends Error {
  readonly status: number;
  readonly hint: string;
  constructor(
    readonly code: ErrorCode,
    readonly details: string,
    options: { status?: number; hint?: string } = {},
  ) {
    super(`${code}: ${details}`);
    this.status = options.status ?? errors[code].httpStatus;
    this.hint = options.hint ?? errors[code].resolution;
  }
}

export function errorBody(code: ErrorCode, details: string, requestId: string, hint?: string): ApiErrorBody {
  return {
    error: {
      code,
      message: errors[code].message,
      details,
      hint: hint ?? errors[code].resolution,
      request_id: requestId,
      timestamp: new Date().toISOString(),
      docs_url: `https://docs.webencode.io/errors/${code}`,
    },
  };
}
