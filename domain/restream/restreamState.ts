// What the restream decider knows of one restream: its document, the revision its last event stands at,
// and the run on (with each destination's last reported state, so only transitions are stored).
import type { DestinationState, RestreamDefinition } from "../../schemas/events/restreamEvents.ts";

export interface DestinationRunState {
  readonly state: DestinationState;
  readonly errorCount: number;
  readonly lastError?: string;
}

export interface RestreamRun {
  readonly runId: string;
  readonly destinations: Readonly<Record<string, DestinationRunState>>;
}

export type RestreamState =
  | { status: "initial" }
  | {
      status: "active";
      restreamId: string;
      definition: RestreamDefinition;
      revision: number;
      run: RestreamRun | null;
    }
  | { status: "deleted"; restreamId: string; revision: number };

export const initialState = (): RestreamState => ({ status: "initial" });
