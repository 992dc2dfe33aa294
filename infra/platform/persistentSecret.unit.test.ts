import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { persistentSecret } from "./persistentSecret.ts";
import { loadConfig } from "./platformConfig.ts";

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "webencode-secret-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("persistent secret", () => {
  it("is generated once, readable by its owner only, and the same for every process that starts together", async () => {
    const secrets = await Promise.all(
      Array.from({ length: 8 }, () => persistentSecret(dataDir, "signing-key")),
    );
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]!.length).toBeGreaterThanOrEqual(43);
    expect(await persistentSecret(dataDir, "signing-key")).toBe(secrets[0]);
    const file = join(dataDir, "secrets", "signing-key");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, "secrets"))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dataDir, "secrets"))).toEqual(["signing-key"]); // no temp file left
  });

  it("never takes an empty or short file left by a crash for the key", async () => {
    await mkdir(join(dataDir, "secrets"));
    const file = join(dataDir, "secrets", "signing-key");
    for (const leftover of ["", "\n", "abc"]) {
      await writeFile(file, leftover);
      const notices: string[] = [];
      const secret = await persistentSecret(dataDir, "signing-key", { onNotice: (m) => notices.push(m) });
      expect(secret.length).toBeGreaterThanOrEqual(43);
      expect((await readFile(file, "utf8")).trim()).toBe(secret);
      expect(notices.join()).toMatch(/empty or cut short/);
    }
  });
});

describe("WEBENCODE_SECRET", () => {
  it("is refused at start when shorter than 32 bytes, and taken as it is otherwise", () => {
    expect(() => loadConfig({}, { WEBENCODE_SECRET: "too-short" })).toThrow(
      /WEBENCODE_SECRET is 9 bytes long.*at least 32 bytes/,
    );
    const secret = "x".repeat(32);
    expect(loadConfig({}, { WEBENCODE_SECRET: secret }).secret).toBe(secret);
    expect(loadConfig({}, {}).secret).toBeUndefined();
  });
});
