// The idle clients of `npm run bench -- feed`, in a process of their own. They parse as little as they
// can (a byte search for JobSubmitted frames, no decoding, no splitting) so that the figures are the
// server's, and report their own CPU time beside it. Driven over IPC: "connect" opens more SSE clients,
// "arrivals" reports when each JobSubmitted event reached each client (wall-clock milliseconds).
import { Agent, request } from "node:http";

type Command =
  | { type: "connect"; url: string; token: string; count: number }
  | { type: "arrivals" }
  | { type: "close" };

const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
const sockets: Array<() => void> = [];
const arrivals = new Map<string, number[]>();
// the feed renders `"type":"JobSubmitted","stream_id":"job-<uuid>"` at the start of the event's data
const MARKER = Buffer.from('"type":"JobSubmitted","stream_id":"job-');
const UUID_LENGTH = 36;
const FRAME_END = Buffer.from("\n\n");
const now = () => performance.timeOrigin + performance.now();

/** Records the JobSubmitted frames whole in `bytes`; returns where the last whole frame ends. */
function recordArrivals(bytes: Buffer, at: number): number {
  for (let found = bytes.indexOf(MARKER); found !== -1; found = bytes.indexOf(MARKER, found + 1)) {
    const idStart = found + MARKER.length;
    if (bytes.indexOf(FRAME_END, idStart) === -1) break; // its end comes with the next chunk
    const jobId = bytes.toString("latin1", idStart, idStart + UUID_LENGTH);
    const times = arrivals.get(jobId);
    if (times === undefined) arrivals.set(jobId, [at]);
    else times.push(at);
  }
  const lastEnd = bytes.lastIndexOf(FRAME_END);
  return lastEnd === -1 ? 0 : lastEnd + FRAME_END.length;
}

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
        // a frame split over two chunks is rare on loopback: only then are bytes kept and copied
        let pending: Buffer | undefined;
        response.on("data", (chunk: Buffer) => {
          const bytes = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
          const consumed = recordArrivals(bytes, now());
          pending = consumed === bytes.length ? undefined : bytes.subarray(consumed);
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
    const cpu = process.cpuUsage();
    process.send!({
      type: "arrivals",
      arrivals: Object.fromEntries(arrivals),
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
    arrivals.clear();
  } else {
    for (const destroy of sockets) destroy();
    process.exit(0);
  }
});
