import type { ErrorCode } from "../../schemas/errors.ts";
import type { ProfileIssue } from "./validateProfile.ts";

export type ProfileRejection =
  | "InvalidProfile"
  | "ProfileExists"
  | "ProfileNotFound"
  | "ProfileChanged"
  | "ProfileInUse";

/** A profile command refused: why, the WE-* code the API answers with, what went wrong, what to do. */
export type ProfileRejected = {
  _tag: "ProfileRejected";
  reason: ProfileRejection;
  code: ErrorCode;
  message: string;
  hint: string;
  /** For InvalidProfile: every field at fault. */
  issues: ProfileIssue[];
};

const codeOf: Record<ProfileRejection, ErrorCode> = {
  InvalidProfile: "WE-JOB-003",
  ProfileExists: "WE-JOB-015",
  ProfileNotFound: "WE-JOB-014",
  ProfileChanged: "WE-JOB-016",
  ProfileInUse: "WE-JOB-013",
};

const hintOf: Record<ProfileRejection, string> = {
  InvalidProfile: "Correct the fields named in details",
  ProfileExists: "Choose another id, or edit the profile with PUT /v1/profiles/{id}",
  ProfileNotFound: "List profiles with GET /v1/profiles",
  ProfileChanged: "Read the profile again (GET /v1/profiles/{id}) and apply your change to it",
  ProfileInUse: "Cancel the jobs named in details, or wait for them to finish, then delete the profile",
};

export const profileRejected = (
  reason: ProfileRejection,
  message: string,
  issues: ProfileIssue[] = [],
): ProfileRejected => ({
  _tag: "ProfileRejected",
  reason,
  code: codeOf[reason],
  message,
  hint: hintOf[reason],
  issues,
});
