// Profile commands through the command side's loop (load → decide → append at the revision read), and
// the load alone for whoever needs a profile as its stream says it is now (job submission).

import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { ProfileCommand } from "../../domain/profile/profileCommands.ts";
import { profileDecider } from "../../domain/profile/profileDecider.ts";
import type { ProfileRejected } from "../../domain/profile/profileRejected.ts";
import type { ProfileState } from "../../domain/profile/profileState.ts";
import { type ProfileEvent, parseProfileEvent } from "../../schemas/events/profileEvents.ts";
import { profileStream } from "../../schemas/events/streamNames.ts";
import {
  type CommandContext,
  type CommandDeps,
  type Executed,
  executeCommand,
  loadAggregate,
} from "../executeCommand.ts";

export type ProfileCommandResult = Executed<ProfileEvent, ProfileState> | ProfileRejected;

export const profileAggregate = {
  name: "profile",
  streamId: profileStream.name,
  parse: parseProfileEvent,
  ...profileDecider,
};

export const executeProfileCommand = (
  deps: CommandDeps,
  command: ProfileCommand,
  context: CommandContext,
): Promise<ProfileCommandResult> =>
  executeCommand(deps, profileAggregate, command.data.profileId, command, context);

/** The profile as its stream says it is now (not the read model, which may lag). */
export async function loadProfile(store: EventStore, profileId: string): Promise<ProfileState> {
  return (await loadAggregate(store, profileAggregate, profileId)).state;
}
