// The token API's answers. A secret appears once, in the answer to POST; hashes never leave the server.
import { z } from "zod";
import { tokenRoleSchema } from "../events/tokenEvents.ts";
import { apiTimestampSchema } from "./apiTimestamp.ts";

export const tokenSchema = z
  .strictObject({
    id: z.uuid(),
    name: z.string(),
    role: tokenRoleSchema,
    user_id: z.string(),
    prefix: z.string().meta({ description: "The secret's first characters, to recognise it by" }),
    created_at: apiTimestampSchema,
    expires_at: apiTimestampSchema.nullable(),
    revoked_at: apiTimestampSchema.nullable(),
  })
  .meta({ id: "Token" });

export const createdTokenSchema = tokenSchema
  .extend({ token: z.string().meta({ description: "The secret: shown this once, stored nowhere" }) })
  .meta({ id: "CreatedToken" });

export const listTokensResponseSchema = z
  .strictObject({ tokens: z.array(tokenSchema) })
  .meta({ id: "TokenList" });

export const sseTicketResponseSchema = z
  .strictObject({
    ticket: z.string().meta({ description: "Pass as ?ticket= to GET /v1/events/stream" }),
    expires_at: apiTimestampSchema,
  })
  .meta({ id: "SseTicket" });

export type TokenResponse = z.infer<typeof tokenSchema>;
export type SseTicketResponse = z.infer<typeof sseTicketResponseSchema>;
