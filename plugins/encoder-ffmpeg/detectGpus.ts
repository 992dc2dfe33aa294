// The GPUs a worker can name, for the worker list and the scheduler: NVIDIA's from nvidia-smi (the
// driver's own tool, present wherever NVENC can run). Whether an encoder really works on them is proven
// separately, by a test encode (detectEncoders.ts).
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

export async function detectGpus(nvidiaSmi = "nvidia-smi"): Promise<Gpu[]> {
  const result = await runCommand(nvidiaSmi, ["--query-gpu=name", "--format=csv,noheader"], {
    timeoutMs: 10_000,
  });
  return result.exitCode === 0 ? parseNvidiaSmi(result.stdout) : [];
}
