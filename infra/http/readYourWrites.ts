// Read-your-writes across the edge: a command answers with the event-log position it produced; a
// query given `min_position` waits (≤ 2 s) until the read models have caught up, else says it is stale.
import type { Context } from "hono";
import { ApiError } from "./apiError.ts";
import type { HttpEnv } from "./httpEnv.ts";

export const POSITION_HEADER = "X-WebEncode-Position";
export const STALE_HEADER = "X-WebEncode-Stale";

export const answerPosition = (c: Context<HttpEnv>, position: number) =>
  c.header(POSITION_HEADER, String(position));

export type WaitForPosition = (position: number, timeoutMs: number) => Promise<boolean>;

export async function awaitMinPosition(c: Context<HttpEnv>, waitForPosition: WaitForPosition) {
  const raw = c.req.query("min_position");
  if (raw === undefined) return;
  const position = Number(raw);
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new ApiError("WE-JOB-001", "min_position must be a non-negative integer");
  }
  if (!(await waitForPosition(position, 2000))) c.header(STALE_HEADER, "true");
}
