// `webencode up` as a child process on a data directory of its own, for end-to-end tests.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const webencodeBin = fileURLToPath(new URL("../../bin/webencode.mjs", import.meta.url));

export interface PlatformProcess {
  child: ChildProcess;
  /** The API's address (empty for `webencode worker`). */
  url: string;
  /** Printed on the first start of a data directory only. */
  adminToken: string | undefined;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

// the embedded database and defaults, whatever the surrounding environment points at
const { DATABASE_URL: _db, EVENT_STORE_URL: _es, NATS_URL: _nats, ...cleanEnv } = process.env;

export async function startPlatform(
  dataDir: string,
  mediaDir: string,
  env: Record<string, string> = {},
  options: { mode?: "up" | "kernel" | "worker"; args?: string[] } = {},
): Promise<PlatformProcess> {
  const mode = options.mode ?? "up";
  const child = spawn(
    process.execPath,
    [webencodeBin, mode, "--data", dataDir, "--media-dir", mediaDir, "--port", "0", ...(options.args ?? [])],
    { env: { ...cleanEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match) resolve(match[1]!);
      else if (mode === "worker" && /encode worker\(s\) pulling tasks/.test(output)) resolve("");
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`webencode ${mode} exited ${code}:\n${output}`)));
    setTimeout(
      () => reject(new Error(`webencode ${mode} did not start in 90 s:\n${output}`)),
      90_000,
    ).unref();
  });
  // the token is printed on stdout before the "running" line's peers; give stdout a moment
  await new Promise((r) => setTimeout(r, 100));
  return {
    child,
    url,
    adminToken: /(we_[A-Za-z0-9_-]+)/.exec(output)?.[1],
    output: () => output,
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
