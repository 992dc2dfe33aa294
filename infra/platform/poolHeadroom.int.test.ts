// Every single-active processor holds a read-model connection for its lock while it leads; a kernel
// whose processors took every connection answered no read at all (the pool had 10, the processors
// grew to a dozen). The pool leaves room for queries however many processors lead.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestKernel, type TestKernel } from "../../test/support/testKernel.ts";
import { READ_MODEL_POOL_SIZE } from "./openDatabase.ts";

let k: TestKernel;
beforeAll(async () => {
  k = await startTestKernel("pool_headroom");
});
afterAll(async () => {
  await k?.stop();
});

describe("the read models' connections", () => {
  it("leave room for reads while every processor leads", async () => {
    const { token } = await k.tokenFor("viewer");
    const ready = await fetch(`${k.kernel.url}/ready`, { signal: AbortSignal.timeout(5_000) });
    const body = (await ready.json()) as { checks: { processors: { detail: { processors: unknown[] } } } };
    expect(ready.status).toBe(200);
    const leaders = body.checks.processors.detail.processors.length;
    expect(READ_MODEL_POOL_SIZE - leaders).toBeGreaterThanOrEqual(10);
    // ten reads at once, all answered
    const reads = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${k.kernel.url}/v1/workers`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(5_000),
        }).then((r) => r.status),
      ),
    );
    expect(reads).toEqual(Array(10).fill(200));
  });
});
