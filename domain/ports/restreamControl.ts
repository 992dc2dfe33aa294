// How the process running restreams acts on them without holding the command side: the kernel hands it
// an implementation that loads, decides and appends (commands/restreams/executeRestreamCommand.ts).
import type { RestreamCommand } from "../restream/restreamCommands.ts";

export interface RestreamControl {
  /** Decides and appends; a refusal (a run already over, say) is answered, never thrown. */
  execute(command: RestreamCommand): Promise<{ readonly _tag: string }>;
}
