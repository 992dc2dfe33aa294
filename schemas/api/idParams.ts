import { z } from "zod";

/** `{id}` in a path: a UUID; anything else names nothing and answers 404. */
export const idParamsSchema = z.strictObject({
  id: z
    .string()
    .meta({ description: "A UUID", format: "uuid", example: "3f2b1a9e-8c4d-4e6f-9a1b-2c3d4e5f6a7b" }),
});
