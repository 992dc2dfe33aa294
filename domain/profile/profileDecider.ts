// The encoding-profile aggregate as a decider value. A document is checked whole (validateProfile) on
// every create and edit; an edit that changes nothing decides nothing. A deleted profile's id may be
// created again: its stream goes on.
import { match } from "ts-pattern";
import type { ProfileEvent } from "../../schemas/events/profileEvents.ts";
import type { ProfileSpec } from "../../schemas/profiles/profileSpec.ts";
import type { ProfileCommand } from "./profileCommands.ts";
import { type ProfileRejected, profileRejected } from "./profileRejected.ts";
import { initialState, type ProfileState } from "./profileState.ts";
import { validateProfile } from "./validateProfile.ts";

export type ProfileDecision = { _tag: "Accepted"; events: ProfileEvent[] } | ProfileRejected;

const accepted = (...events: ProfileEvent[]): ProfileDecision => ({ _tag: "Accepted", events });

function checked(spec: ProfileSpec, event: ProfileEvent): ProfileDecision {
  const issues = validateProfile(spec);
  if (issues.length === 0) return accepted(event);
  const details = issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ");
  return profileRejected("InvalidProfile", `Invalid profile: ${details}`, issues);
}

const notFound = (profileId: string) => profileRejected("ProfileNotFound", `No profile ${profileId}`);

const sameDocument = (a: ProfileSpec, b: ProfileSpec) => JSON.stringify(a) === JSON.stringify(b);

function decide(command: ProfileCommand, state: ProfileState): ProfileDecision {
  return match(command)
    .returnType<ProfileDecision>()
    .with({ type: "CreateProfile" }, ({ data }) =>
      state.status === "active"
        ? profileRejected("ProfileExists", `Profile ${data.profileId} already exists`)
        : checked(data.spec, { type: "ProfileCreated", data }),
    )
    .with({ type: "UpdateProfile" }, ({ data: { expectedRevision, ...data } }) => {
      if (state.status !== "active") return notFound(data.profileId);
      if (expectedRevision !== undefined && expectedRevision !== state.revision) {
        return profileRejected(
          "ProfileChanged",
          `Profile ${data.profileId} is at revision ${state.revision}, not ${expectedRevision}: someone changed it since`,
        );
      }
      if (sameDocument(state.spec, data.spec)) return accepted();
      return checked(data.spec, { type: "ProfileUpdated", data });
    })
    .with({ type: "DeleteProfile" }, ({ data }) => {
      if (state.status !== "active") return notFound(data.profileId);
      if (data.jobsUsing.length > 0) {
        return profileRejected(
          "ProfileInUse",
          `Profile ${data.profileId} is used by queued or running jobs: ${data.jobsUsing.join(", ")}`,
        );
      }
      return accepted({ type: "ProfileDeleted", data: { profileId: data.profileId } });
    })
    .exhaustive();
}

const revisionAfter = (state: ProfileState) => (state.status === "initial" ? 0 : state.revision + 1);

function evolve(state: ProfileState, event: ProfileEvent): ProfileState {
  const revision = revisionAfter(state);
  return match(event)
    .returnType<ProfileState>()
    .with({ type: "ProfileCreated" }, ({ data }) => ({
      status: "active",
      profileId: data.profileId,
      spec: data.spec,
      builtIn: data.builtIn === true,
      revision,
    }))
    .with({ type: "ProfileUpdated" }, ({ data }) =>
      match(state)
        .returnType<ProfileState>()
        .with({ status: "active" }, (active) => ({ ...active, spec: data.spec, revision }))
        .with({ status: "deleted" }, (deleted) => ({ ...deleted, revision }))
        .with({ status: "initial" }, (initial) => initial)
        .exhaustive(),
    )
    .with({ type: "ProfileDeleted" }, ({ data }) => ({
      status: "deleted",
      profileId: data.profileId,
      revision,
    }))
    .exhaustive();
}

export const profileDecider = { decide, evolve, initialState };
