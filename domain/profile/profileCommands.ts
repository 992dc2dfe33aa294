// What may be asked of an encoding profile: create it, replace it whole, delete it (admins; the kernel
// seeds the built-ins with CreateProfile too).
import type { ProfileSpec } from "../../schemas/profiles/profileSpec.ts";

export type CreateProfile = {
  type: "CreateProfile";
  data: { profileId: string; spec: ProfileSpec; builtIn?: true };
};
export type UpdateProfile = {
  type: "UpdateProfile";
  /** `expectedRevision`: the revision the editor read; absent, the edit applies to whatever is there. */
  data: { profileId: string; spec: ProfileSpec; expectedRevision?: number };
};
export type DeleteProfile = {
  type: "DeleteProfile";
  /** The queued or running jobs that name the profile, as the caller found them. */
  data: { profileId: string; jobsUsing: readonly string[] };
};

export type ProfileCommand = CreateProfile | UpdateProfile | DeleteProfile;
