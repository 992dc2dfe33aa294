// Runs a short-lived command (ffprobe, a test encode) to completion with a time limit. Never
// throws: a missing binary or a timeout is part of the result.
import { execFile } from "node:child_process";

export interface CommandResult {
  /** null when it was killed by a signal or could not start. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Set when the command could not be started at all (ENOENT, EACCES). */
  readonly spawnError: string | null;
}

export function runCommand(
  file: string,
  args: readonly string[],
  options: {
    readonly timeoutMs: number;
    readonly env?: NodeJS.ProcessEnv;
    readonly signal?: AbortSignal;
    readonly cwd?: string;
  },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        timeout: options.timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        // Aborting kills the command at once (with killSignal), as a cancelled job must.
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ exitCode: 0, stdout, stderr, timedOut: false, spawnError: null });
          return;
        }
        const code: unknown = (error as { code?: unknown }).code;
        const killed = (error as { killed?: boolean }).killed === true;
        resolve({
          exitCode: typeof code === "number" ? code : null,
          stdout,
          stderr,
          timedOut: killed,
          spawnError: typeof code === "string" ? `${code}: ${error.message}` : null,
        });
      },
    );
  });
}
