// The one failure value every source check returns: a WE code for the HTTP edge, a reason for logs
// and tests, and words a user can act on. Details (an offending address, a range) are for logs.
export type SourceRefusalReason =
  | "malformed_url"
  | "unsupported_scheme"
  | "credentials_in_url"
  | "forbidden_character"
  | "path_traversal"
  | "absolute_path"
  | "double_encoding"
  | "outside_media_root"
  | "not_found"
  | "not_readable"
  | "not_a_file"
  | "forbidden_host"
  | "forbidden_address"
  | "unresolvable_host"
  /** The storage holding the source refused its key (`..`, an absolute path, a reserved name). */
  | "invalid_key";

export interface SourceRefused {
  readonly _tag: "SourceRefused";
  /** WE-JOB-001: the URL cannot be read at all; WE-JOB-002: a well-formed source we will not use. */
  readonly code: "WE-JOB-001" | "WE-JOB-002";
  readonly reason: SourceRefusalReason;
  readonly message: string;
  readonly hint: string;
  readonly details?: Readonly<Record<string, string>>;
}

export const sourceRefused = (
  reason: SourceRefusalReason,
  message: string,
  hint: string,
  details?: Readonly<Record<string, string>>,
): SourceRefused => ({
  _tag: "SourceRefused",
  code: reason === "malformed_url" ? "WE-JOB-001" : "WE-JOB-002",
  reason,
  message,
  hint,
  ...(details === undefined ? {} : { details }),
});
