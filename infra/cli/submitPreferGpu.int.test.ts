// `webencode submit --prefer-gpu / --no-prefer-gpu` against a real kernel: the flag reaches the job.
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestKernel, type TestKernel } from "../../test/support/testKernel.ts";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../../bin/webencode.mjs", import.meta.url));

let k: TestKernel;
let token: string;

beforeAll(async () => {
  k = await startTestKernel("cli_prefer_gpu");
  token = (await k.tokenFor("operator")).token;
  await mkdir(k.mediaDir, { recursive: true });
  // what the job makes of the source does not matter here, only what it was submitted with
  await writeFile(join(k.mediaDir, "clip.mp4"), "not really a video");
});
afterAll(() => k?.stop());

async function submitWith(...flags: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    process.execPath,
    [bin, "submit", "fs://clip.mp4", "--profile", "480p_fast", ...flags],
    { env: { ...process.env, WEBENCODE_URL: k.kernel.url, WEBENCODE_TOKEN: token }, timeout: 60_000 },
  );
  const jobId = stdout.trim();
  expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
  const [submitted] = await k.db.store.readStream(`job-${jobId}`);
  expect(submitted?.type).toBe("JobSubmitted");
  return submitted?.data as Record<string, unknown>;
}

describe("webencode submit", () => {
  it("sends --prefer-gpu as prefer_gpu true, --no-prefer-gpu as false, and nothing without the flag", async () => {
    expect(await submitWith("--prefer-gpu")).toMatchObject({ preferGpu: true, profileId: "480p_fast" });
    expect(await submitWith("--no-prefer-gpu")).toMatchObject({ preferGpu: false });
    expect(await submitWith()).not.toHaveProperty("preferGpu");
  });
});
