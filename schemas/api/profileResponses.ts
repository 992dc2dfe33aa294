// GET /v1/profiles: the encoding profiles a job may name.
import { z } from "zod";
import { audioCodecSchema, containerSchema, videoCodecSchema } from "../profiles/profileSpec.ts";

export const profileSchema = z
  .strictObject({
    id: z.string(),
    container: containerSchema,
    video: z.strictObject({
      codec: videoCodecSchema,
      max_width: z.int().positive(),
      max_height: z.int().positive(),
      bitrate_kbps: z.number().positive(),
      max_fps: z.number().positive(),
      preset: z.string(),
      upscale: z.boolean(),
    }),
    /** null: the profile's outputs have no audio. */
    audio: z
      .strictObject({
        codec: audioCodecSchema,
        bitrate_kbps: z.number().positive(),
        channels: z.int().positive(),
      })
      .nullable(),
    hardware: z.enum(["off", "auto"]).meta({
      description: '"auto" uses a proven hardware encoder for the codec when the worker has one',
    }),
  })
  .meta({ id: "Profile" });

export const listProfilesResponseSchema = z
  .strictObject({ profiles: z.array(profileSchema) })
  .meta({ id: "ProfileList" });
export type ListProfilesResponse = z.infer<typeof listProfilesResponseSchema>;
