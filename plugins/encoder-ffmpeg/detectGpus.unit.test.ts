import { describe, expect, it } from "vitest";
import { detectGpus, parseNvidiaSmi } from "./detectGpus.ts";

describe("detectGpus", () => {
  it("reads one GPU per line of nvidia-smi's CSV", () => {
    expect(parseNvidiaSmi("NVIDIA H200\nNVIDIA GeForce RTX 4090\n")).toEqual([
      { vendor: "nvidia", model: "NVIDIA H200" },
      { vendor: "nvidia", model: "NVIDIA GeForce RTX 4090" },
    ]);
    expect(parseNvidiaSmi("No devices were found\n")).toEqual([]);
    expect(parseNvidiaSmi("")).toEqual([]);
  });

  it("finds none where nvidia-smi is not installed", async () => {
    expect(await detectGpus("/nonexistent/nvidia-smi")).toEqual([]);
  });
});
