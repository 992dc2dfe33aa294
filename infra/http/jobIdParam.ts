import type { Context } from "hono";
import { ApiError } from "./apiError.ts";

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `:id` of a job route; anything but a UUID names no job. */
export function jobIdParam(c: Context): string {
  const id = c.req.param("id") ?? "";
  if (!UUID_PATTERN.test(id)) throw new ApiError("WE-JOB-004", `No job exists with ID: ${id}`);
  return id.toLowerCase();
}
