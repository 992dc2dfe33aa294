// Request validation at the edge: a zod failure becomes WE-JOB-001 naming the offending field.
import type { Context } from "hono";
import type { z } from "zod";
import type { ErrorCode } from "../../schemas/errors.ts";
import { ApiError } from "./apiError.ts";

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const field = issue.path.join(".");
      if (issue.code === "unrecognized_keys")
        return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  code: ErrorCode = "WE-JOB-001",
): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError(code, describeIssues(parsed.error));
  return parsed.data;
}

export async function parseJsonBody<T extends z.ZodType>(
  c: Context,
  schema: T,
  code: ErrorCode = "WE-JOB-001",
) {
  const text = await c.req.text();
  if (text.trim() === "") return parseWith(schema, {}, code);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ApiError(code, `the body is not valid JSON: ${(error as Error).message}`);
  }
  return parseWith(schema, body, code);
}

export function parseQuery<T extends z.ZodType>(c: Context, schema: T, code: ErrorCode = "WE-JOB-001") {
  return parseWith(schema, c.req.query(), code);
}
