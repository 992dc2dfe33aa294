// The profile API's answers: the list (GET /v1/profiles), one whole profile (GET /v1/profiles/{id}),
// and what a create or edit wrote.
import { z } from "zod";
import { profileIdSchema } from "../profiles/profileSpec.ts";
import { apiTimestampSchema } from "./apiTimestamp.ts";
import { profileDocumentSchema, profileDocumentShape } from "./profileDocument.ts";

const builtIn = z.boolean().meta({ description: "Seeded from the platform's built-in profiles" });
const revision = z
  .int()
  .min(0)
  .meta({ description: "The revision of the profile's stream; send it back with PUT" });

export const profileSummarySchema = z
  .strictObject({
    id: profileIdSchema,
    name: z.string(),
    description: z.string(),
    codec: profileDocumentSchema.shape.video.shape.codec,
    bitrate_kbps: z.int(),
    max_width: z.int(),
    max_height: z.int(),
    container: profileDocumentSchema.shape.container,
    tier_count: z.int().min(0),
    built_in: builtIn,
    updated_at: apiTimestampSchema,
  })
  .meta({ id: "ProfileSummary" });
export type ProfileSummary = z.infer<typeof profileSummarySchema>;

export const listProfilesResponseSchema = z
  .strictObject({ profiles: z.array(profileSummarySchema) })
  .meta({ id: "ProfileList" });
export type ListProfilesResponse = z.infer<typeof listProfilesResponseSchema>;

export const profileDetailSchema = z
  .strictObject({
    id: profileIdSchema,
    ...profileDocumentShape,
    built_in: builtIn,
    revision,
    updated_at: apiTimestampSchema,
  })
  .meta({ id: "Profile" });
export type ProfileDetail = z.infer<typeof profileDetailSchema>;

export const profileWrittenResponseSchema = z
  .strictObject({ id: profileIdSchema, revision })
  .meta({ id: "ProfileWritten" });
export type ProfileWrittenResponse = z.infer<typeof profileWrittenResponseSchema>;
