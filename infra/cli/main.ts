// The webencode command line.
import { parseArgs } from "node:util";
import { ApiCallError, createApiClient } from "./apiClient.ts";
import { replayStream } from "./eventsReplay.ts";
import { jobsCommand } from "./jobsCommand.ts";
import { platformCommand } from "./platformCommands.ts";
import { projectionsCommand } from "./projectionsCommand.ts";
import { submitCommand } from "./submitCommand.ts";
import { tokensCommand } from "./tokensCommand.ts";

const USAGE = `webencode <command>

  up [--data <dir>] [--port <p>] [--media-dir <dir>]
                                              start the platform, embedded (no external services)
  kernel | worker [--job-storage fs|s3]       distributed: API/projectors or encode workers, on
                                              DATABASE_URL (+ EVENT_STORE_URL) and NATS_URL; with s3,
                                              work files and outputs go to storage-s3's bucket
  submit <file|url> --profile <p> [--prefer-gpu | --no-prefer-gpu] [--wait] [--output <file>]
                                              upload, submit, follow with a progress bar, download;
                                              --prefer-gpu encodes on a proven GPU, --no-… in software
  jobs list | show <id> | cancel <id> | retry <id>
  tokens create --role viewer|operator|admin --name <n> | list | revoke <id>
                                              API tokens, on the installation's own event log
  projections rebuild [name]                  rebuild read models from the event log and swap them in
  projections status                          where each projector stands
  events replay --stream <id> [--until <t>]   a stream's history and the state it folds to
                                              (--until: a position or an ISO time)

API commands talk to --server / WEBENCODE_URL (default http://127.0.0.1:8080) with WEBENCODE_TOKEN.
Database commands use DATABASE_URL / EVENT_STORE_URL (postgres://…), else the embedded database in --data
(default ./.data, or WEBENCODE_DATA).`;

const parseOptions = (args: string[]) =>
  parseArgs({
    args,
    allowPositionals: true,
    allowNegative: true,
    options: {
      data: { type: "string" },
      stream: { type: "string" },
      until: { type: "string" },
      port: { type: "string" },
      "media-dir": { type: "string" },
      "storage-dir": { type: "string" },
      "job-storage": { type: "string" },
      host: { type: "string" },
      workers: { type: "string" },
      json: { type: "boolean" },
      server: { type: "string" },
      profile: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      wait: { type: "boolean" },
      "prefer-gpu": { type: "boolean" },
      output: { type: "string", short: "o" },
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
  const client = () =>
    createApiClient({
      server: values.server ?? process.env.WEBENCODE_URL ?? "http://127.0.0.1:8080",
      token: process.env.WEBENCODE_TOKEN,
    });
  try {
    switch (command) {
      case "submit":
        if (!positionals[0]) break;
        return await submitCommand(client(), {
          source: positionals[0],
          profile: values.profile ?? "720p_h264",
          wait: values.wait ?? false,
          output: values.output,
          preferGpu: values["prefer-gpu"],
        });
      case "tokens":
        return await tokensCommand(positionals, {
          dataDir,
          role: values.role,
          name: values.name,
          json: values.json,
        });
      case "jobs":
        return await jobsCommand(client(), positionals, values.json ?? false);
      case "up":
      case "kernel":
      case "worker":
        return await platformCommand(command, { ...values, data: dataDir });
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
    console.error(error instanceof ApiCallError ? error.message : `webencode: ${(error as Error).message}`);
    return 1;
  }
  console.error(USAGE);
  return 2;
}
