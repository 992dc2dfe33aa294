// Finds every `<pluginsDir>/*/plugin.toml`, checks each manifest, its kernel and protocol versions and
// the plugin's configuration from `plugins.toml`, and says per plugin: loaded, disabled or failed and why.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, TomlError } from "smol-toml";
import type { ZodError } from "zod";
import type { ErrorCode } from "../../schemas/errors.ts";
import {
  type ConfigSchema,
  type PluginManifest,
  type PluginType,
  pluginManifestSchema,
} from "../../schemas/plugins/pluginManifest.ts";
import { configIssues, validatePluginConfig } from "./validatePluginConfig.ts";
import { parseVersion, parseVersionRange, satisfies } from "./versionRange.ts";

/** The folder of the plugins that ship with WebEncode. */
export const builtInPluginsDir = fileURLToPath(new URL("..", import.meta.url));

/** The plugin protocol versions this kernel speaks. */
export const PLUGIN_PROTOCOL_VERSIONS: readonly number[] = [1];

export interface PluginError {
  readonly code: ErrorCode;
  /** Names the file and the field to fix. */
  readonly message: string;
}

interface PluginIdentity {
  readonly id: string;
  readonly manifestPath: string;
}
interface Described extends PluginIdentity {
  readonly type: PluginType;
  readonly version: string;
  readonly protocolVersion: number;
  readonly capabilities: readonly string[];
}
export type PluginRecord =
  | (Described & { readonly state: "loaded"; readonly config: Record<string, unknown> })
  | (Described & { readonly state: "disabled" })
  | (PluginIdentity &
      Partial<Omit<Described, keyof PluginIdentity>> & {
        readonly state: "failed";
        readonly error: PluginError;
      });

export type LoadedPlugins =
  | { readonly _tag: "Plugins"; readonly plugins: readonly PluginRecord[] }
  /** plugins.toml itself cannot be used: nothing is loaded. */
  | { readonly _tag: "PluginsRefused"; readonly error: PluginError };

export interface LoadPluginsOptions {
  /** A folder of plugin folders; the ones without a plugin.toml (the SDK) are not plugins. */
  readonly pluginsDir: string;
  readonly kernelVersion: string;
  readonly protocolVersions?: readonly number[];
  /** Per-plugin `enabled` and `config` tables keyed by plugin id; a missing file leaves every plugin on its defaults. */
  readonly configFile: string;
}

interface PluginSettings {
  readonly enabled: boolean;
  readonly config: unknown;
}

const tomlProblem = (file: string, error: unknown) =>
  error instanceof TomlError
    ? `${file}:${error.line}:${error.column}: ${error.message.split("\n")[0]}`
    : `${file}: ${(error as Error).message}`;

const zodProblems = (error: ZodError) =>
  error.issues
    .flatMap((issue) => {
      const at = issue.path.map(String).join(".");
      if (issue.code === "unrecognized_keys")
        return issue.keys.map((key) => `${at ? `${at}.` : ""}${key}: is not a manifest field`);
      return [`${at || "(root)"}: ${issue.message}`];
    })
    .join("; ");

async function readToml(
  file: string,
): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; problem: string } | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    return { ok: false, problem: tomlProblem(file, error) };
  }
  try {
    return { ok: true, value: parse(text) as Record<string, unknown> };
  } catch (error) {
    return { ok: false, problem: tomlProblem(file, error) };
  }
}

/** Defaults must pass their own schema, or a plugin would start on a value it refuses. */
function defaultProblems(schema: ConfigSchema, at: string): string[] {
  const own =
    schema.default === undefined
      ? []
      : configIssues(schema, schema.default, `${at}.default`).map((i) => `${i.field}: ${i.message}`);
  const nested = [
    ...Object.entries(schema.properties ?? {}).flatMap(([name, p]) =>
      defaultProblems(p, `${at}.properties.${name}`),
    ),
    ...(schema.items ? defaultProblems(schema.items, `${at}.items`) : []),
  ];
  return [...own, ...nested];
}

function checkManifest(
  manifest: PluginManifest,
  folder: string,
  manifestPath: string,
  options: LoadPluginsOptions,
): PluginError | null {
  const invalid = (message: string): PluginError => ({
    code: "WE-PLG-006",
    message: `${manifestPath}: ${message}`,
  });
  if (manifest.id !== folder)
    return invalid(`id: "${manifest.id}" must be the plugin's folder name, "${folder}"`);
  const defaults = defaultProblems(manifest.config_schema, "config_schema");
  if (defaults.length > 0) return invalid(defaults.join("; "));
  const range = parseVersionRange(manifest.kernel_versions);
  if ("_tag" in range) return invalid(`kernel_versions: ${range.reason}`);
  const kernel = parseVersion(options.kernelVersion);
  if ("_tag" in kernel) throw new Error(`kernel version: ${kernel.reason}`);
  const protocols = options.protocolVersions ?? PLUGIN_PROTOCOL_VERSIONS;
  if (!protocols.includes(manifest.protocol_version))
    return {
      code: "WE-PLG-007",
      message: `${manifestPath}: protocol_version: ${manifest.protocol_version} is not a plugin protocol this kernel speaks (${protocols.join(", ")})`,
    };
  if (!satisfies(kernel, range))
    return {
      code: "WE-PLG-007",
      message: `${manifestPath}: kernel_versions: "${manifest.kernel_versions}" does not include this kernel's version ${options.kernelVersion}`,
    };
  return null;
}

function settingsOf(
  configFile: string,
  entries: Record<string, unknown>,
): Map<string, PluginSettings | PluginError> {
  const settings = new Map<string, PluginSettings | PluginError>();
  for (const [id, entry] of Object.entries(entries)) {
    const refuse = (field: string, message: string): PluginError => ({
      code: "WE-PLG-003",
      message: `${configFile}: ${id}${field}: ${message}`,
    });
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      settings.set(id, refuse("", `must be a table, [${id}]`));
      continue;
    }
    const { enabled = true, config = {}, ...others } = entry as Record<string, unknown>;
    const other = Object.keys(others)[0];
    settings.set(
      id,
      other !== undefined
        ? refuse(`.${other}`, "is not a plugin setting (a plugin's table takes enabled and config)")
        : typeof enabled !== "boolean"
          ? refuse(".enabled", "must be true or false")
          : { enabled, config },
    );
  }
  return settings;
}

export async function loadPlugins(options: LoadPluginsOptions): Promise<LoadedPlugins> {
  const { configFile } = options;
  const configToml = await readToml(configFile);
  if (configToml && !configToml.ok)
    return { _tag: "PluginsRefused", error: { code: "WE-PLG-003", message: configToml.problem } };
  const settings = settingsOf(configFile, configToml?.value ?? {});

  const folders = (await readdir(options.pluginsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const plugins: PluginRecord[] = [];
  for (const folder of folders) {
    const manifestPath = join(options.pluginsDir, folder, "plugin.toml");
    const toml = await readToml(manifestPath);
    if (toml === null) continue;
    const failed = (error: PluginError, described: Partial<Described> = {}): PluginRecord => ({
      ...described,
      id: folder,
      manifestPath,
      state: "failed",
      error,
    });
    if (!toml.ok) {
      plugins.push(failed({ code: "WE-PLG-006", message: toml.problem }));
      continue;
    }
    const parsed = pluginManifestSchema.safeParse(toml.value);
    if (!parsed.success) {
      plugins.push(failed({ code: "WE-PLG-006", message: `${manifestPath}: ${zodProblems(parsed.error)}` }));
      continue;
    }
    const manifest = parsed.data;
    const described: Described = {
      id: manifest.id,
      manifestPath,
      type: manifest.type,
      version: manifest.version,
      protocolVersion: manifest.protocol_version,
      capabilities: manifest.capabilities,
    };
    const refused = checkManifest(manifest, folder, manifestPath, options);
    if (refused) {
      plugins.push(failed(refused, described));
      continue;
    }
    const setting = settings.get(manifest.id) ?? { enabled: manifest.enabled_by_default, config: {} };
    if ("code" in setting) {
      plugins.push(failed(setting, described));
      continue;
    }
    if (!setting.enabled) {
      plugins.push({ ...described, state: "disabled" });
      continue;
    }
    const config = validatePluginConfig(manifest.config_schema, setting.config);
    plugins.push(
      config._tag === "ValidConfig"
        ? { ...described, state: "loaded", config: config.config }
        : failed(
            {
              code: "WE-PLG-003",
              message: `${configFile}: ${config.issues
                .map((i) => `${manifest.id}.config${i.field ? `.${i.field}` : ""}: ${i.message}`)
                .join("; ")}`,
            },
            described,
          ),
    );
  }

  const unknown = [...settings.keys()].find((id) => !plugins.some((p) => p.id === id));
  if (unknown !== undefined)
    return {
      _tag: "PluginsRefused",
      error: {
        code: "WE-PLG-001",
        message: `${configFile}: [${unknown}] names no installed plugin (installed: ${plugins.map((p) => p.id).join(", ") || "none"})`,
      },
    };
  return { _tag: "Plugins", plugins };
}
