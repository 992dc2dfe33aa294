// Plugins through a real kernel: GET /v1/plugins lists what the kernel found at start, a config the
// schema refuses stops the kernel with WE-PLG-003 naming the field and the file, and the config
// that passes reaches the plugin.
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { builtInPluginsDir } from "../../plugins/sdk/loadPlugins.ts";
import { listPluginsResponseSchema } from "../../schemas/api/pluginResponses.ts";
import { makeClip } from "../../test/support/mediaClip.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { openDatabase, type PlatformDatabase } from "../platform/openDatabase.ts";
import { loadConfig } from "../platform/platformConfig.ts";
import { type Kernel, startKernel } from "../platform/startKernel.ts";
import { startWorkers } from "../platform/startWorkers.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";

let database: TestDatabase;
let dir: string;
const started: Array<{ kernel?: Kernel; db: PlatformDatabase }> = [];

beforeAll(async () => {
  database = await createTestDatabase("plugins");
});
afterEach(async () => {
  for (const { kernel, db } of started.splice(0)) {
    await kernel?.stop();
    await db.close();
  }
  await rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await database?.drop();
});

const manifest = (id: string, type: string, extra = "") =>
  `id = "${id}"\ntype = "${type}"\nversion = "0.2.0"\nprotocol_version = 1\nkernel_versions = ">=0.1.0 <1.0.0"\ncapabilities = ["vod"]\n${extra}`;

/** A plugins folder holding the real encoder-ffmpeg manifest beside `others`, and a data folder with `pluginsToml`. */
async function kernelWith(others: Record<string, string>, pluginsToml: string, log: string[] = []) {
  dir = await mkdtemp(join(tmpdir(), "webencode-plugins-"));
  await chmod(dir, 0o755);
  const pluginsDir = join(dir, "plugins");
  await mkdir(join(pluginsDir, "encoder-ffmpeg"), { recursive: true });
  await copyFile(
    join(builtInPluginsDir, "encoder-ffmpeg", "plugin.toml"),
    join(pluginsDir, "encoder-ffmpeg", "plugin.toml"),
  );
  for (const [folder, text] of Object.entries(others)) {
    await mkdir(join(pluginsDir, folder), { recursive: true });
    await writeFile(join(pluginsDir, folder, "plugin.toml"), text);
  }
  const config = {
    ...loadConfig({ port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") }, {}),
    pluginsDir,
  };
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(join(config.dataDir, "plugins.toml"), pluginsToml);
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  const entry: { kernel?: Kernel; db: PlatformDatabase } = { db };
  started.push(entry);
  entry.kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), (m) =>
    log.push(m),
  );
  const issued = await entry.kernel.tokens.issue(
    { name: "admin", role: "admin" },
    { userId: "system", role: "system" },
  );
  if (issued._tag !== "Issued") throw new Error(issued._tag);
  return { kernel: entry.kernel, token: issued.token, config, pluginsDir };
}

describe("plugins in the kernel", () => {
  it("GET /v1/plugins lists loaded, disabled and failed plugins with type, version, state and capabilities", async () => {
    const log: string[] = [];
    const { kernel, token, pluginsDir } = await kernelWith(
      {
        "publisher-demo": manifest("publisher-demo", "publisher"),
        "live-future": manifest("live-future", "live").replace(">=0.1.0 <1.0.0", ">=2.0.0"),
        "auth-broken": 'id = "auth-broken"\ntype = "auth\n',
      },
      "[publisher-demo]\nenabled = false\n",
      log,
    );
    const response = await fetch(`${kernel.url}/v1/plugins`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const body = listPluginsResponseSchema.parse(await response.json());
    expect(body.plugins).toEqual([
      {
        id: "auth-broken",
        type: null,
        version: null,
        protocol_version: null,
        state: "failed",
        capabilities: [],
        error: {
          code: "WE-PLG-006",
          message: expect.stringContaining(`${join(pluginsDir, "auth-broken", "plugin.toml")}:2:`),
        },
      },
      {
        id: "encoder-ffmpeg",
        type: "encoder",
        version: "0.1.0",
        protocol_version: 1,
        state: "loaded",
        capabilities: expect.arrayContaining(["h264", "hevc", "av1", "hwaccel"]),
        error: null,
      },
      {
        id: "live-future",
        type: "live",
        version: "0.2.0",
        protocol_version: 1,
        state: "failed",
        capabilities: ["vod"],
        error: {
          code: "WE-PLG-007",
          message: `${join(pluginsDir, "live-future", "plugin.toml")}: kernel_versions: ">=2.0.0" does not include this kernel's version 0.1.0`,
        },
      },
      {
        id: "publisher-demo",
        type: "publisher",
        version: "0.2.0",
        protocol_version: 1,
        state: "disabled",
        capabilities: ["vod"],
        error: null,
      },
    ]);
    // a plugin that fails does not stop the kernel, and says so in the log
    expect(log).toEqual(
      expect.arrayContaining([expect.stringMatching(/^plugin live-future failed: WE-PLG-007 /)]),
    );
    // and reports it to error tracking as the plugin's
    const headers = { authorization: `Bearer ${token}` };
    let reported: Array<{ source_component: string; severity: string; message: string }> = [];
    for (const deadline = Date.now() + 10_000; reported.length === 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const errors = await fetch(`${kernel.url}/v1/errors?source=plugin:live-future`, { headers });
      reported = ((await errors.json()) as { errors: typeof reported }).errors;
    }
    expect(reported).toEqual([
      expect.objectContaining({
        source_component: "plugin:live-future",
        severity: "critical",
        message: expect.stringMatching(/^WE-PLG-007 .*does not include this kernel's version 0\.1\.0$/),
      }),
    ]);
  });

  it("refuses to start when the encoder's config does not match its schema, with WE-PLG-003 naming the field and the file", async () => {
    const start = kernelWith({}, "[encoder-ffmpeg.config]\nffmpeg_path = 3\n");
    const file = () => join(dir, "data", "plugins.toml");
    await expect(start).rejects.toThrow(
      /^WE-PLG-003 .*plugins\.toml: encoder-ffmpeg\.config\.ffmpeg_path: must be a string, got integer$/,
    );
    await expect(start).rejects.toThrow(file());
  });

  it("starts no worker on a config the encoder's schema refuses", async () => {
    dir = await mkdtemp(join(tmpdir(), "webencode-plugins-"));
    const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") }, {});
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(
      join(config.dataDir, "plugins.toml"),
      '[encoder-ffmpeg.config]\nffprobe_path = ["ffprobe"]\n',
    );
    const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
    started.push({ db });
    await expect(
      startWorkers(config, db.store, createMemoryWorkQueue(), createMemoryProgressBus(), () => {}),
    ).rejects.toThrow(
      /^WE-PLG-003 .*plugins\.toml: encoder-ffmpeg\.config\.ffprobe_path: must be a string, got array$/,
    );
  });

  it("refuses to start without the encoder it runs on", async () => {
    await expect(kernelWith({}, "[encoder-ffmpeg]\nenabled = false\n")).rejects.toThrow(
      /^WE-PLG-002 the encoder-ffmpeg plugin is disabled in plugins\.toml/,
    );
  });

  it("hands the config that passes to the plugin: the kernel probes with the configured ffprobe", async () => {
    const calls = join(tmpdir(), `webencode-ffprobe-calls-${process.pid}-${Date.now()}`);
    const wrapper = `${calls}.sh`;
    await writeFile(wrapper, `#!/bin/sh\necho "$@" >> '${calls}'\nexec ffprobe "$@"\n`, { mode: 0o755 });
    try {
      // fs:// sources are read through storage-fs
      const storageFs = await readFile(join(builtInPluginsDir, "storage-fs", "plugin.toml"), "utf8");
      const { kernel, token, config } = await kernelWith(
        { "storage-fs": storageFs },
        `[encoder-ffmpeg.config]\nffprobe_path = "${wrapper}"\n`,
      );
      await mkdir(config.mediaDir, { recursive: true });
      await makeClip(join(config.mediaDir, "clip.mp4"), { seconds: 1, width: 160, height: 90 });
      const submitted = await fetch(`${kernel.url}/v1/jobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ source_url: "fs://clip.mp4", profile: "720p_h264" }),
      });
      expect(submitted.status).toBe(201);
      let recorded = "";
      for (let i = 0; i < 600 && !recorded.includes("clip.mp4"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        recorded = await readFile(calls, "utf8").catch(() => "");
      }
      expect(recorded).toContain("clip.mp4");
    } finally {
      await rm(calls, { force: true });
      await rm(wrapper, { force: true });
    }
  });
});
