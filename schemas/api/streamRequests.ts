// POST /v1/streams and PUT /v1/streams/{id}: a live stream's settings, snake_case.
import { z } from "zod";

/** A stream key chosen by the caller: url-safe, long enough not to be guessed. */
export const customStreamKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, "expected 16 to 64 characters of A-Z, a-z, 0-9, _ and -")
  .meta({ description: "A key of your own (16 to 64 url-safe characters); else one is generated" });

const title = z.string().trim().min(1).max(200).meta({ example: "Live Event" });
const description = z.string().max(5000).meta({ example: "My stream" });
const archiveEnabled = z
  .boolean()
  .meta({ description: "When a session ends, its recording becomes a VOD job (source_type stream)" });

export const createStreamRequestSchema = z
  .strictObject({
    title,
    description: description.optional(),
    archive_enabled: archiveEnabled.optional().meta({ description: "Default true" }),
    stream_key: customStreamKeySchema.optional(),
  })
  .meta({ id: "CreateStreamRequest" });
export type CreateStreamRequest = z.infer<typeof createStreamRequestSchema>;

/** The settings to change; those left out stay. `archive_enabled` cannot change while live (WE-STR-003). */
export const updateStreamRequestSchema = z
  .strictObject({
    title: title.optional(),
    description: description.optional(),
    archive_enabled: archiveEnabled.optional(),
  })
  .meta({ id: "UpdateStreamRequest" });
export type UpdateStreamRequest = z.infer<typeof updateStreamRequestSchema>;
