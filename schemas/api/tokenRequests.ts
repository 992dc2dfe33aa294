// The token API's bodies (admins only): a token is created with a name and a role, and revoked by id.
import { z } from "zod";
import { tokenRoleSchema } from "../events/tokenEvents.ts";

export const createTokenRequestSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    role: tokenRoleSchema,
    user_id: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: "The user the token acts for; a new user when left out" }),
    expires_at: z.iso.datetime({ offset: true }).optional(),
  })
  .meta({ id: "CreateTokenRequest", example: { name: "ci", role: "operator" } });
