import { describe, expect, it } from "vitest";
import { sourceInfoFixture } from "../../test/support/createFakeEncoder.ts";
import type { EncodeExitClass, EncodeOutcome, EncodePlan, ProvenEncoder } from "../sdk/encoderPlugin.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { encodeWithFallback } from "./encodeWithFallback.ts";
import { planEncode } from "./planEncode.ts";

const nvenc: ProvenEncoder = { name: "h264_nvenc", codec: "h264", hardware: true };
const x264: ProvenEncoder = { name: "libx264", codec: "h264", hardware: false };
const profile = builtInProfiles["480p_fast"];
const gpuPlan = planEncode(profile, sourceInfoFixture("/media/in.mp4"), { encoders: [nvenc, x264] });

const failed = (exitClass: EncodeExitClass, message = `${exitClass} failure`): EncodeOutcome => ({
  _tag: "EncodeFailed",
  exitClass,
  message,
  stderrTail: "",
});
const encoded = (plan: EncodePlan): EncodeOutcome => ({
  _tag: "Encoded",
  path: "/scratch/1.mp4",
  sizeBytes: 1,
  checksum: "sha256:00",
  durationSec: 2,
  encoder: plan.video.encoder,
});

/** Runs the fallback over encodes that answer in turn with what `answers` makes of each plan. */
async function run(plan: EncodePlan, answers: ((plan: EncodePlan) => EncodeOutcome)[]) {
  const ran: EncodePlan[] = [];
  const outcome = await encodeWithFallback(plan, { workDir: "/scratch", attemptId: "1" }, async (p) => {
    ran.push(p);
    const answer = answers[ran.length - 1];
    if (!answer) throw new Error("encoded more often than expected");
    return answer(p);
  });
  return { outcome, ran: ran.map((p) => p.video.encoder), plans: ran };
}

describe("encodeWithFallback", () => {
  it.each(["transient", "oom", "stalled"] as const)(
    "re-encodes in software after a %s failure of the GPU, with the software plan",
    async (exitClass) => {
      const { outcome, ran, plans } = await run(gpuPlan, [() => failed(exitClass), encoded]);
      expect(ran).toEqual(["h264_nvenc", "libx264"]);
      expect(plans[1]).toEqual(planEncode(profile, sourceInfoFixture("/media/in.mp4")));
      expect(outcome).toMatchObject({
        _tag: "Encoded",
        encoder: "libx264",
        fallback: { from: "h264_nvenc", exitClass, message: `${exitClass} failure` },
      });
    },
  );

  it.each(["input", "cancelled"] as const)("does not retry a %s failure", async (exitClass) => {
    const { outcome, ran } = await run(gpuPlan, [() => failed(exitClass)]);
    expect(ran).toEqual(["h264_nvenc"]);
    expect(outcome).toEqual(failed(exitClass));
  });

  it("does not retry a software encode, nor a GPU encode with no software encoder to fall back to", async () => {
    const software = planEncode(profile, sourceInfoFixture("/media/in.mp4"), { encoders: [x264] });
    expect((await run(software, [() => failed("transient")])).ran).toEqual(["libx264"]);
    const gpuOnly = planEncode(profile, sourceInfoFixture("/media/in.mp4"), { encoders: [nvenc] });
    expect((await run(gpuOnly, [() => failed("transient")])).ran).toEqual(["h264_nvenc"]);
  });

  it("keeps a GPU success as it is, and tells both failures when software fails too", async () => {
    const first = await run(gpuPlan, [encoded]);
    expect(first.outcome).toMatchObject({ encoder: "h264_nvenc" });
    expect(first.outcome).not.toHaveProperty("fallback");
    const both = await run(gpuPlan, [
      () => failed("oom", "GPU out of memory"),
      () => failed("transient", "disk full"),
    ]);
    expect(both.outcome).toMatchObject({
      _tag: "EncodeFailed",
      exitClass: "transient",
      message: "disk full (after h264_nvenc failed: GPU out of memory)",
    });
  });
});
