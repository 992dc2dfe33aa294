import { describe, expect, it } from "vitest";
import { builtInProfiles as encoderProfiles } from "../../plugins/encoder-ffmpeg/builtInProfiles.ts";
import { profileSpecSchema } from "../../schemas/profiles/profileSpec.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { validateProfile } from "./validateProfile.ts";

describe("the built-in profiles", () => {
  it("are valid documents that pass every cross-field rule", () => {
    for (const [id, spec] of Object.entries(builtInProfiles)) {
      expect(profileSpecSchema.parse(spec), id).toEqual(spec);
      expect(validateProfile(spec), id).toEqual([]);
    }
  });

  it("encode the three H.264 ones as workers do today (plugins/encoder-ffmpeg)", () => {
    for (const id of ["1080p_h264", "720p_h264", "480p_fast"] as const) {
      const encoded = encoderProfiles[id];
      const spec = builtInProfiles[id]!;
      expect(spec.video, id).toEqual(encoded.video);
      expect(spec.audio, id).toEqual(encoded.audio);
      expect([spec.container, spec.hardware, spec.maxAttempts], id).toEqual([
        encoded.container,
        encoded.hardware,
        encoded.maxAttempts,
      ]);
    }
  });
});
