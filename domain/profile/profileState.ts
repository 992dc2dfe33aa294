// What the profile decider knows of one profile: whether it exists, its document, and the stream
// revision its last event stands at (what an editor's expected revision is held to).
import type { ProfileSpec } from "../../schemas/profiles/profileSpec.ts";

export type ProfileState =
  | { status: "initial" }
  | { status: "active"; profileId: string; spec: ProfileSpec; builtIn: boolean; revision: number }
  | { status: "deleted"; profileId: string; revision: number };

export const initialState = (): ProfileState => ({ status: "initial" });
