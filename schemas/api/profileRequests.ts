// POST /v1/profiles and PUT /v1/profiles/{id}: the whole document, snake_case.
import { z } from "zod";
import { profileIdSchema } from "../profiles/profileSpec.ts";
import { profileDocumentShape } from "./profileDocument.ts";

export const createProfileRequestSchema = z
  .strictObject({ id: profileIdSchema.meta({ example: "web_720p" }), ...profileDocumentShape })
  .meta({ id: "CreateProfileRequest" });
export type CreateProfileRequest = z.infer<typeof createProfileRequestSchema>;

export const updateProfileRequestSchema = z
  .strictObject({
    ...profileDocumentShape,
    revision: z.int().min(0).optional().meta({
      description:
        "The revision the document was read at (GET /v1/profiles/{id}); when given and the profile changed since, 409 WE-JOB-016",
    }),
  })
  .meta({ id: "UpdateProfileRequest" });
export type UpdateProfileRequest = z.infer<typeof updateProfileRequestSchema>;
