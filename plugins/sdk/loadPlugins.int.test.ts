// The manifest loader on real folders: manifests, kernel and protocol versions, plugins.toml.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { builtInPluginsDir, type LoadedPlugins, loadPlugins, type PluginRecord } from "./loadPlugins.ts";

let dir: string;
let pluginsDir: string;
let configFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-plugins-"));
  pluginsDir = join(dir, "plugins");
  configFile = join(dir, "data", "plugins.toml");
  await mkdir(dirname(configFile), { recursive: true });
  await mkdir(join(pluginsDir, "sdk"), { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const good = `id = "storage-demo"
type = "storage"
version = "1.2.0-rc.1"
protocol_version = 1
kernel_versions = ">=0.1.0 <1.0.0"
capabilities = ["browse", "signed_urls"]

[config_schema]
type = "object"
required = ["bucket"]

[config_schema.properties.bucket]
type = "string"

[config_schema.properties.part_size_mib]
type = "integer"
minimum = 5
default = 16
`;

async function manifest(folder: string, text: string) {
  await mkdir(join(pluginsDir, folder), { recursive: true });
  await writeFile(join(pluginsDir, folder, "plugin.toml"), text);
  return join(pluginsDir, folder, "plugin.toml");
}
const load = (kernelVersion = "0.1.0") => loadPlugins({ pluginsDir, configFile, kernelVersion });
const only = (loaded: LoadedPlugins): PluginRecord => {
  if (loaded._tag !== "Plugins") throw new Error(loaded.error.message);
  expect(loaded.plugins).toHaveLength(1);
  return loaded.plugins[0]!;
};

describe("loadPlugins", () => {
  it("loads a good manifest with its config from plugins.toml, defaults filled in; folders without a manifest are not plugins", async () => {
    const path = await manifest("storage-demo", good);
    await writeFile(configFile, `[storage-demo.config]\nbucket = "media"\n`);
    expect(only(await load())).toEqual({
      state: "loaded",
      id: "storage-demo",
      manifestPath: path,
      type: "storage",
      version: "1.2.0-rc.1",
      protocolVersion: 1,
      capabilities: ["browse", "signed_urls"],
      config: { bucket: "media", part_size_mib: 16 },
    });
  });

  it("loads the built-in plugins' manifests for this kernel", async () => {
    const loaded = await loadPlugins({ pluginsDir: builtInPluginsDir, configFile, kernelVersion: "0.1.0" });
    if (loaded._tag !== "Plugins") throw new Error(loaded.error.message);
    // every built-in loads on defaults alone, but storage-s3 and live-mediamtx, which stay off until
    // they are given a bucket and a MediaMTX
    expect(loaded.plugins.filter((p) => p.state !== "loaded").map((p) => [p.id, p.state])).toEqual([
      ["live-mediamtx", "disabled"],
      ["storage-s3", "disabled"],
    ]);
    expect(loaded.plugins).toContainEqual(
      expect.objectContaining({ id: "live-embedded", type: "live", state: "loaded" }),
    );
    expect(loaded.plugins).toContainEqual(
      expect.objectContaining({ id: "encoder-ffmpeg", type: "encoder", state: "loaded", config: {} }),
    );
    expect(loaded.plugins).toContainEqual(expect.objectContaining({ id: "storage-fs", state: "loaded" }));
  });

  it("turns on a plugin that is off by default when plugins.toml enables it, and checks its config then", async () => {
    const builtIn = (file: string) =>
      loadPlugins({ pluginsDir: builtInPluginsDir, configFile: file, kernelVersion: "0.1.0" });
    const s3 = async (toml: string) => {
      const file = join(dirname(configFile), `s3-${Math.random().toString(36).slice(2)}.toml`);
      await writeFile(file, toml);
      const loaded = await builtIn(file);
      if (loaded._tag !== "Plugins") throw new Error(loaded.error.message);
      return loaded.plugins.find((p) => p.id === "storage-s3")!;
    };
    const unconfigured = await s3(`[storage-s3]\nenabled = true\n`);
    expect(unconfigured).toMatchObject({ state: "failed", error: { code: "WE-PLG-003" } });
    expect(JSON.stringify(unconfigured)).toContain("storage-s3.config.bucket: is required");
    expect(await s3(`[storage-s3]\nenabled = true\n[storage-s3.config]\nbucket = "media"\n`)).toMatchObject({
      state: "loaded",
      config: { bucket: "media" },
    });
  });

  const bad: Array<[what: string, from: string, to: string, says: string]> = [
    ["a missing id", 'id = "storage-demo"\n', "", "id: "],
    ["an id that is not a slug", 'id = "storage-demo"', 'id = "Storage Demo"', "id: lower-case letters"],
    [
      "an id other than its folder",
      'id = "storage-demo"',
      'id = "storage-other"',
      'id: "storage-other" must be the plugin\'s folder name',
    ],
    ["an unknown type", 'type = "storage"', 'type = "database"', "type: "],
    [
      "a version that is not semver",
      'version = "1.2.0-rc.1"',
      'version = "1.2"',
      "version: a semantic version",
    ],
    [
      "a protocol_version that is a string",
      "protocol_version = 1",
      'protocol_version = "1"',
      "protocol_version: ",
    ],
    [
      "a kernel_versions that is no range",
      'kernel_versions = ">=0.1.0 <1.0.0"',
      'kernel_versions = "^0.1"',
      "kernel_versions: ",
    ],
    [
      "capabilities that are no list",
      'capabilities = ["browse", "signed_urls"]',
      'capabilities = "browse"',
      "capabilities: ",
    ],
    [
      "a field of the spec's other format",
      "protocol_version = 1\n",
      'protocol_version = 1\nsupported_kernel_versions = ["1.0.0"]\n',
      "supported_kernel_versions: is not a manifest field",
    ],
    [
      "a config_schema that is no object",
      '[config_schema]\ntype = "object"',
      '[config_schema]\ntype = "string"',
      "config_schema: must have type",
    ],
    [
      "a JSON Schema keyword outside the subset",
      "minimum = 5\n",
      "minimum = 5\nminLength = 2\n",
      "config_schema.properties.part_size_mib.minLength: is not a manifest field",
    ],
    [
      "a keyword on the wrong type",
      "minimum = 5\n",
      'minimum = 5\npattern = "x"\n',
      "config_schema.properties.part_size_mib.pattern: applies to string values",
    ],
    [
      "a pattern that does not compile",
      '[config_schema.properties.bucket]\ntype = "string"',
      '[config_schema.properties.bucket]\ntype = "string"\npattern = "(["',
      "config_schema.properties.bucket.pattern: not a valid regular expression",
    ],
    [
      "required naming no property",
      'required = ["bucket"]',
      'required = ["bukket"]',
      'config_schema.required.0: names no property "bukket"',
    ],
    [
      "a default its own schema refuses",
      "default = 16",
      "default = 2",
      "config_schema.properties.part_size_mib.default: must be at least 5",
    ],
  ];
  for (const [what, from, to, says] of bad) {
    it(`refuses a manifest with ${what} with WE-PLG-006 naming the file and the field`, async () => {
      expect(good).toContain(from);
      const path = await manifest("storage-demo", good.replace(from, to));
      const plugin = only(await load());
      expect(plugin).toMatchObject({ state: "failed", id: "storage-demo", error: { code: "WE-PLG-006" } });
      if (plugin.state !== "failed") return;
      expect(plugin.error.message).toContain(path);
      expect(plugin.error.message).toContain(says);
    });
  }

  it("refuses a manifest that is not TOML with the line and column", async () => {
    const path = await manifest("storage-demo", good.replace('type = "storage"', 'type = "storage'));
    expect(only(await load())).toMatchObject({
      state: "failed",
      id: "storage-demo",
      error: {
        code: "WE-PLG-006",
        message: expect.stringMatching(new RegExp(`^${path}:2:\\d+: Invalid TOML`)),
      },
    });
  });

  it("fails a plugin made for other kernels or another protocol with WE-PLG-007, and still describes it", async () => {
    const path = await manifest("storage-demo", good);
    expect(only(await load("1.0.0"))).toMatchObject({
      state: "failed",
      type: "storage",
      version: "1.2.0-rc.1",
      error: {
        code: "WE-PLG-007",
        message: `${path}: kernel_versions: ">=0.1.0 <1.0.0" does not include this kernel's version 1.0.0`,
      },
    });
    await manifest("storage-demo", good.replace("protocol_version = 1", "protocol_version = 2"));
    expect(only(await load())).toMatchObject({
      state: "failed",
      error: {
        code: "WE-PLG-007",
        message: expect.stringContaining("protocol_version: 2 is not a plugin protocol"),
      },
    });
  });

  it("refuses a config that does not match the schema with WE-PLG-003 naming the field and the file", async () => {
    await manifest("storage-demo", good);
    await writeFile(configFile, `[storage-demo.config]\nbucket = 7\npart_size_mib = 1\nregion = "eu"\n`);
    expect(only(await load())).toMatchObject({
      state: "failed",
      type: "storage",
      error: {
        code: "WE-PLG-003",
        message: `${configFile}: storage-demo.config.bucket: must be a string, got integer; storage-demo.config.part_size_mib: must be at least 5; storage-demo.config.region: is not a setting of this plugin (it has bucket, part_size_mib)`,
      },
    });
    await writeFile(configFile, "");
    expect(only(await load())).toMatchObject({
      error: { code: "WE-PLG-003", message: `${configFile}: storage-demo.config.bucket: is required` },
    });
  });

  it("lists a plugin switched off in plugins.toml as disabled, without checking its config", async () => {
    await manifest("storage-demo", good);
    await writeFile(configFile, "[storage-demo]\nenabled = false\n");
    expect(only(await load())).toMatchObject({
      state: "disabled",
      id: "storage-demo",
      capabilities: ["browse", "signed_urls"],
    });
    await writeFile(configFile, '[storage-demo]\nenabled = "no"\n');
    expect(only(await load())).toMatchObject({
      state: "failed",
      error: { code: "WE-PLG-003", message: `${configFile}: storage-demo.enabled: must be true or false` },
    });
    await writeFile(configFile, '[storage-demo]\nbucket = "media"\n');
    expect(only(await load())).toMatchObject({
      state: "failed",
      error: {
        code: "WE-PLG-003",
        message: expect.stringContaining(`${configFile}: storage-demo.bucket: is not a plugin setting`),
      },
    });
  });

  it("refuses a plugins.toml that is not TOML or names a plugin that is not installed", async () => {
    await manifest("storage-demo", good);
    await writeFile(configFile, '[storage-demo.config]\nbucket = "media"\nbucket = "again"\n');
    expect(await load()).toEqual({
      _tag: "PluginsRefused",
      error: { code: "WE-PLG-003", message: expect.stringMatching(new RegExp(`^${configFile}:3:\\d+: `)) },
    });
    await writeFile(configFile, '[storage-demo.config]\nbucket = "media"\n[storage-dmeo]\nenabled = false\n');
    expect(await load()).toEqual({
      _tag: "PluginsRefused",
      error: {
        code: "WE-PLG-001",
        message: `${configFile}: [storage-dmeo] names no installed plugin (installed: storage-demo)`,
      },
    });
  });
});
