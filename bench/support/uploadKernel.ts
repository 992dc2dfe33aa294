// The kernel of `npm run bench -- upload`, in a process of its own so that its resident memory is
// measured alone. Argument: a JSON object { data, media } (folders, plugins.toml already in data). Prints
// one JSON line { url, token, pid } once it listens, and stops when its standard input closes.
import { openDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig } from "../../infra/platform/platformConfig.ts";
import { startKernel } from "../../infra/platform/startKernel.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";

const { data, media, maxUploadBytes } = JSON.parse(process.argv[2] ?? "{}") as {
  data: string;
  media: string;
  maxUploadBytes: number;
};
const config = loadConfig(
  { port: "0", data, "media-dir": media },
  { WEBENCODE_MAX_UPLOAD_BYTES: String(maxUploadBytes) },
);
const db = await openDatabase({ dataDir: config.dataDir });
const queue = createMemoryWorkQueue();
const bus = createMemoryProgressBus();
const kernel = await startKernel(config, db, queue, bus, (message) => process.stderr.write(`${message}\n`));
const issued = await kernel.tokens.issue(
  { name: "bench", role: "operator" },
  { userId: "system", role: "system" },
);
if (issued._tag !== "Issued") throw new Error(issued._tag);
process.stdout.write(`${JSON.stringify({ url: kernel.url, token: issued.token, pid: process.pid })}\n`);

const stop = async () => {
  await kernel.stop();
  await queue.close();
  await bus.close();
  await db.close();
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
