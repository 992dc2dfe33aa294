// The webencode command line.
import { parseArgs } from "node:util";
import { replayStream } from "./eventsReplay.ts";
import { projectionsCommand } from "./projectionsCommand.ts";
import { upCommand } from "./upCommand.ts";

const USAGE = `webencode <command>

  up [--data <dir>]                           start the platform, embedded (no external services)
  projections rebuild [name]                  rebuild read models from the event log and swap them in
  projections status                          where each projector stands
  events replay --stream <id> [--until <t>]   a stream's history and the state it folds to
                                              (--until: a position or an ISO time)

Connection: DATABASE_URL / EVENT_STORE_URL (postgres://…), else the embedded database in --data
(default ./.data, or WEBENCODE_DATA).`;

const parseOptions = (args: string[]) =>
  parseArgs({
    args,
    allowPositionals: true,
    options: {
      data: { type: "string" },
      stream: { type: "string" },
      until: { type: "string" },
      port: { type: "string" },
      "media-dir": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(rest);
  } catch (error) {
    console.error(`webencode: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const dataDir = values.data ?? process.env.WEBENCODE_DATA ?? ".data";
  try {
    switch (command) {
      case "up":
        return await upCommand({ dataDir });
      case "projections":
        return await projectionsCommand(positionals, { dataDir });
      case "events":
        if (positionals[0] !== "replay" || !values.stream) break;
        return await replayStream({
          dataDir,
          streamId: values.stream,
          until: values.until,
          json: values.json,
        });
      default:
        if (command && command !== "help" && !values.help) console.error(`unknown command: ${command}\n`);
    }
  } catch (error) {
    console.error(`webencode: ${(error as Error).message}`);
    return 1;
  }
  console.error(USAGE);
  return 2;
}
