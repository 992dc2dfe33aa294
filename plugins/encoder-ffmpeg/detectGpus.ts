// The GPUs a worker can name, for the worker list and the encoder selection matrix (a GPU's own
// encoders are tried before other proven hardware): NVIDIA's from nvidia-smi (the driver's own tool,
// present wherever NVENC can run), AMD's and Intel's from the kernel's DRM render nodes. Whether an
// encoder really works on them is proven separately, by a test encode (detectEncoders.ts).
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { runCommand } from "./runCommand.ts";

export interface Gpu {
  readonly vendor: "nvidia" | "amd" | "intel" | "apple" | "other";
  readonly model: string;
}

/** `nvidia-smi --query-gpu=name --format=csv,noheader`: one model name per line. */
export const parseNvidiaSmi = (stdout: string): Gpu[] =>
  stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^(No devices|NVIDIA-SMI has failed)/i.test(line))
    .map((model) => ({ vendor: "nvidia" as const, model: model.slice(0, 200) }));

// PCI vendor ids; NVIDIA's (0x10de) are left to nvidia-smi, which names the model.
const drmVendors: Readonly<Record<string, { vendor: Gpu["vendor"]; name: string }>> = {
  "0x1002": { vendor: "amd", name: "AMD" },
  "0x8086": { vendor: "intel", name: "Intel" },
};

/** One GPU per render node (`<drmRoot>/renderD<n>/device/vendor`), as VAAPI, AMF and QSV open them. */
export async function detectDrmGpus(drmRoot = "/sys/class/drm"): Promise<Gpu[]> {
  const nodes = await readdir(drmRoot).catch(() => [] as string[]);
  const found = await Promise.all(
    nodes
      .filter((node) => /^renderD\d+$/.test(node))
      .sort()
      .map(async (node) => {
        const read = (file: string) =>
          readFile(join(drmRoot, node, "device", file), "utf8").then(
            (text) => text.trim(),
            () => "",
          );
        const known = drmVendors[await read("vendor")];
        if (!known) return [];
        const device = await read("device");
        return [{ vendor: known.vendor, model: `${known.name} GPU ${device || "?"} (${node})` }];
      }),
  );
  return found.flat();
}

export async function detectGpus(nvidiaSmi = "nvidia-smi", drmRoot = "/sys/class/drm"): Promise<Gpu[]> {
  const [nvidia, drm] = await Promise.all([
    runCommand(nvidiaSmi, ["--query-gpu=name", "--format=csv,noheader"], { timeoutMs: 10_000 }),
    detectDrmGpus(drmRoot),
  ]);
  return [...(nvidia.exitCode === 0 ? parseNvidiaSmi(nvidia.stdout) : []), ...drm];
}
