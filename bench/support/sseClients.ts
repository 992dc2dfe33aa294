// The idle clients of `npm run bench -- feed`, in a process of their own so that their sockets and
// parsing weigh nothing on the server measured. Driven over IPC: "connect" opens more SSE clients,
// "arrivals" reports when each JobSubmitted event reached each client (wall-clock milliseconds).
import { Agent, request } from "node:http";

type Command =
  | { type: "connect"; url: string; token: string; count: number }
  | { type: "arrivals" }
  | { type: "close" };

const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
const sockets: Array<() => void> = [];
const arrivals = new Map<string, number[]>();
const SUBMITTED =
  /^event: JobSubmitted\nid: [^\n]*\ndata: \{"type":"JobSubmitted","stream_id":"job-([0-9a-f-]+)"/;
const now = () => performance.timeOrigin + performance.now();

/** Opens one feed; resolves once its first frame (the resume point) arrived. */
function open(url: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/events/stream`,
      { agent, headers: { accept: "text/event-stream", authorization: `Bearer ${token}` } },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`the feed answered ${response.statusCode}`));
          response.resume();
          return;
        }
        response.setEncoding("utf8");
        let pending = "";
        response.on("data", (chunk: string) => {
          const at = now();
          pending += chunk;
          const frames = pending.split("\n\n");
          pending = frames.pop() ?? "";
          for (const frame of frames) {
            const jobId = SUBMITTED.exec(frame)?.[1];
            if (jobId !== undefined) {
              const times = arrivals.get(jobId) ?? [];
              times.push(at);
              arrivals.set(jobId, times);
            }
          }
          resolve();
        });
        response.on("error", () => {});
      },
    );
    req.on("error", reject);
    req.end();
    sockets.push(() => req.destroy());
  });
}

process.on("message", async (command: Command) => {
  if (command.type === "connect") {
    try {
      for (let opened = 0; opened < command.count; opened += 100) {
        const batch = Math.min(100, command.count - opened);
        await Promise.all(Array.from({ length: batch }, () => open(command.url, command.token)));
      }
      process.send!({ type: "connected", total: sockets.length });
    } catch (error) {
      process.send!({ type: "failed", message: (error as Error).message });
    }
  } else if (command.type === "arrivals") {
    process.send!({ type: "arrivals", arrivals: Object.fromEntries(arrivals) });
    arrivals.clear();
  } else {
    for (const destroy of sockets) destroy();
    process.exit(0);
  }
});
