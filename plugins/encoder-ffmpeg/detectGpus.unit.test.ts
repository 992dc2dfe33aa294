import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectDrmGpus, detectGpus, parseNvidiaSmi } from "./detectGpus.ts";

/** A DRM class folder laid out as Linux's sysfs has it: one folder per node, the PCI ids under device/. */
async function drmFolder(nodes: Record<string, { vendor: string; device: string }>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "drm-"));
  for (const [node, ids] of Object.entries(nodes)) {
    await mkdir(join(root, node, "device"), { recursive: true });
    await writeFile(join(root, node, "device", "vendor"), `${ids.vendor}\n`);
    await writeFile(join(root, node, "device", "device"), `${ids.device}\n`);
  }
  return root;
}

describe("detectGpus", () => {
  it("reads one GPU per line of nvidia-smi's CSV", () => {
    expect(parseNvidiaSmi("NVIDIA H200\nNVIDIA GeForce RTX 4090\n")).toEqual([
      { vendor: "nvidia", model: "NVIDIA H200" },
      { vendor: "nvidia", model: "NVIDIA GeForce RTX 4090" },
    ]);
    expect(parseNvidiaSmi("No devices were found\n")).toEqual([]);
    expect(parseNvidiaSmi("")).toEqual([]);
  });

  it("finds none where nvidia-smi is not installed and there are no render nodes", async () => {
    expect(await detectGpus("/nonexistent/nvidia-smi", "/nonexistent/drm")).toEqual([]);
  });

  it("names AMD and Intel GPUs by their render nodes' PCI vendor, leaving NVIDIA's to nvidia-smi", async () => {
    const root = await drmFolder({
      renderD129: { vendor: "0x8086", device: "0x56a0" },
      renderD128: { vendor: "0x1002", device: "0x73bf" },
      renderD130: { vendor: "0x10de", device: "0x2335" },
      card0: { vendor: "0x1002", device: "0x73bf" },
    });
    try {
      expect(await detectDrmGpus(root)).toEqual([
        { vendor: "amd", model: "AMD GPU 0x73bf (renderD128)" },
        { vendor: "intel", model: "Intel GPU 0x56a0 (renderD129)" },
      ]);
      expect((await detectGpus("/nonexistent/nvidia-smi", root)).map((gpu) => gpu.vendor)).toEqual([
        "amd",
        "intel",
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
