// A real S3 protocol server (s3rver) on a free port, in a child process, for storage-s3's tests and the
// upload benchmark. Credentials are s3rver's fixed pair.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface S3rverProcess {
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly child: ChildProcess;
  /** "METHOD ?sub-resources" of each request the server answered so far, in order; a test may empty it. */
  readonly requests: string[];
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL("./s3rverMain.mjs", import.meta.url));

export const startS3rver = async (bucket = "webencode-test"): Promise<S3rverProcess> => {
  const directory = await mkdtemp(join(tmpdir(), "webencode-s3rver-"));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", MAIN, directory, bucket], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const requests: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const message = JSON.parse(line) as { port?: number; request?: string };
      if (message.request !== undefined) requests.push(message.request);
      if (message.port !== undefined) resolve(message.port);
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code} before it listened`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    child,
    requests,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
};

/** A data folder's plugins.toml that turns storage-s3 on against `s3`. */
export const s3PluginsToml = (s3: S3rverProcess): string =>
  [
    "[storage-s3]",
    "enabled = true",
    "[storage-s3.config]",
    `bucket = "${s3.bucket}"`,
    `endpoint = "${s3.endpoint}"`,
    "force_path_style = true",
    `access_key_id = "${s3.accessKeyId}"`,
    `secret_access_key = "${s3.secretAccessKey}"`,
  ].join("\n");
