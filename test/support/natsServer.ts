// A throwaway `nats-server -js` for one test file: free port, temporary store, removed afterwards.
// WEBENCODE_TEST_NATS_URL points the tests at a running server instead (then it cannot be restarted).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect as connectTcp, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestNatsServer {
  url: string;
  /** Stops and starts the server on the same port and store (clients see a disconnect); absent when external. */
  restart?: () => Promise<void>;
  stop(): Promise<void>;
}

const binary = process.env.WEBENCODE_NATS_SERVER ?? "nats-server";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP port was assigned");
  return address.port;
}

/** True once the server greets with an INFO line that says JetStream is on. */
function greetsWithJetStream(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: "127.0.0.1", port });
    let received = "";
    const done = (ready: boolean) => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      if (received.includes("\r\n"))
        done(received.startsWith("INFO") && received.includes('"jetstream":true'));
    });
  });
}

function spawnServer(port: number, storeDir: string): { child: ChildProcess; log: () => string } {
  const child = spawn(binary, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, log: () => output };
}

async function waitUntilReady(port: number, child: ChildProcess, log: () => string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nats-server exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    }
    if (await greetsWithJetStream(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nats-server did not accept connections within ${timeoutMs} ms:\n${log()}`);
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(killer);
}

export async function startNatsServer(): Promise<TestNatsServer> {
  const external = process.env.WEBENCODE_TEST_NATS_URL;
  if (external) return { url: external, stop: async () => {} };

  const dir = await mkdtemp(join(tmpdir(), "webencode-test-nats-"));
  const storeDir = join(dir, "jetstream");
  // another process may take the free port between probing and binding: try a few
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    let { child, log } = spawnServer(port, storeDir);
    try {
      await waitUntilReady(port, child, log);
    } catch (error) {
      await stopProcess(child);
      if (attempt < 3) continue;
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return {
      url: `nats://127.0.0.1:${port}`,
      async restart() {
        await stopProcess(child);
        ({ child, log } = spawnServer(port, storeDir));
        await waitUntilReady(port, child, log);
      },
      async stop() {
        await stopProcess(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
