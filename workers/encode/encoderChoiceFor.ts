// The encoders a task uses on this worker: the domain's selection matrix over what the worker proved at
// start and the GPUs it found, with the job's prefer_gpu over the profile's hardware mode.
import {
  type EncoderChoice,
  type NoProvenEncoder,
  selectEncoder,
} from "../../domain/encoding/selectEncoder.ts";
import type { Job } from "../../domain/job/jobState.ts";
import type { EncodeProfile, EncoderCapabilities } from "../../plugins/sdk/encoderPlugin.ts";
import type { MachineCapabilities } from "./machineCapabilities.ts";

export const encoderChoiceFor = (
  job: Pick<Job, "preferGpu">,
  profile: EncodeProfile,
  capabilities: EncoderCapabilities,
  machine: MachineCapabilities | undefined,
): EncoderChoice | NoProvenEncoder =>
  selectEncoder({
    codec: profile.video.codec,
    proven: capabilities.encoders,
    gpuVendors: (machine?.gpus ?? []).map((gpu) => gpu.vendor),
    preferGpu: job.preferGpu,
    profileHardware: profile.hardware,
  });
