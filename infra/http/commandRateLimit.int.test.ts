// Per-token rate limits on commands, through the real kernel with real tokens.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestKernel, type TestKernel } from "../../test/support/testKernel.ts";

const BURST = 3;

let platform: TestKernel;

beforeAll(async () => {
  platform = await startTestKernel("ratelimit", {
    WEBENCODE_RATE_LIMIT_PER_S: "1",
    WEBENCODE_RATE_LIMIT_BURST: String(BURST),
  });
});
afterAll(async () => await platform?.stop());

const newToken = async () => (await platform.tokenFor("operator")).token;

const call = (method: string, path: string, token: string) =>
  fetch(`${platform.kernel.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

describe("command rate limit", () => {
  it("answers WE-SYS-005 with Retry-After beyond a token's burst, per token, and lets it through later", async () => {
    const token = await newToken();
    for (let i = 0; i < BURST; i++) expect((await call("POST", "/v1/events/ticket", token)).status).toBe(200);
    const limited = await call("POST", "/v1/events/ticket", token);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    const body = (await limited.json()) as { error: { code: string; hint: string } };
    expect(body.error.code).toBe("WE-SYS-005");
    expect(body.error.hint).toContain(`${retryAfter} s`);

    // a command of another kind counts against the same bucket; queries are not limited
    expect((await call("DELETE", "/v1/jobs/00000000-0000-4000-8000-000000000000", token)).status).toBe(429);
    for (let i = 0; i < BURST * 2; i++) expect((await call("GET", "/v1/profiles", token)).status).toBe(200);

    // another token has a bucket of its own
    expect((await call("POST", "/v1/events/ticket", await newToken())).status).toBe(200);

    // after the time it was told to wait, the token is let through again
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await call("POST", "/v1/events/ticket", token)).status).toBe(200);
  });
});
