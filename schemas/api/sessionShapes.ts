// POST, GET and DELETE /v1/auth/session: a browser's sign-in with an API token, kept in an HttpOnly cookie.
import { z } from "zod";
import { apiTimestampSchema } from "./apiTimestamp.ts";

export const openSessionRequestSchema = z
  .strictObject({ token: z.string().min(1).max(1024) })
  .meta({ id: "OpenSession", description: "Or send the token as 'Authorization: Bearer <token>'" });

export const sessionResponseSchema = z
  .strictObject({
    user_id: z.string(),
    role: z.enum(["viewer", "operator", "admin"]),
    token_id: z.string().nullable(),
    expires_at: apiTimestampSchema,
  })
  .meta({ id: "Session" });
export type SessionResponse = z.infer<typeof sessionResponseSchema>;
