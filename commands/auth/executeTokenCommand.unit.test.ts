import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { tokenStream } from "../../schemas/events/streamNames.ts";
import { executeTokenCommand, loadToken } from "./executeTokenCommand.ts";
import { loadTokenStates } from "./loadTokenStates.ts";

const context = {
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { userId: "u-root", role: "admin" as const },
  requestId: "req-1",
};
const now = new Date("2026-11-24T10:00:00Z");
const issue = (tokenId: string, role: "viewer" | "operator" | "admin" = "viewer") => ({
  type: "IssueToken" as const,
  data: {
    tokenId,
    name: "n",
    userId: "u-1",
    role,
    hash: `sha256:${"cd".repeat(32)}`,
    prefix: "we_abcde",
    now: now.toISOString(),
  },
});

describe("executeTokenCommand", () => {
  it("appends to token-{id} with full metadata and reports the position", async () => {
    const store = createMemoryEventStore();
    const tokenId = randomUUID();
    const result = await executeTokenCommand(
      { store, newId: randomUUID, now: () => now },
      issue(tokenId),
      context,
    );
    expect(result).toMatchObject({ _tag: "Executed", state: { status: "issued" }, position: 1 });
    const [event] = await store.readStream(tokenStream.name(tokenId));
    expect(event?.type).toBe("TokenIssued");
    expect(event?.metadata).toEqual({ ...context, occurredAt: now.toISOString(), schemaVersion: 1 });
  });

  it("decides again on the fresh state when another writer got there first", async () => {
    const store = createMemoryEventStore();
    const tokenId = randomUUID();
    const deps = { store, newId: randomUUID, now: () => now };
    await executeTokenCommand(deps, issue(tokenId), context);
    const original = store.append.bind(store);
    let interfered = false;
    store.append = async (streamId, events, options) => {
      if (!interfered) {
        interfered = true;
        await executeTokenCommand(deps, { type: "RevokeToken", data: { tokenId } }, context);
      }
      return original(streamId, events, options);
    };
    const second = await executeTokenCommand(deps, { type: "RevokeToken", data: { tokenId } }, context);
    expect(second).toMatchObject({ _tag: "TokenRejected", reason: "TokenAlreadyRevoked" });
    expect((await loadToken(store, tokenId)).state.status).toBe("revoked");
    expect(await store.readStream(tokenStream.name(tokenId))).toHaveLength(2);
  });

  it("returns the refusal and appends nothing", async () => {
    const store = createMemoryEventStore();
    const result = await executeTokenCommand(
      { store, newId: randomUUID, now: () => now },
      { type: "RevokeToken", data: { tokenId: randomUUID() } },
      context,
    );
    expect(result).toMatchObject({ _tag: "TokenRejected", code: "WE-JOB-004" });
    expect(await store.headPosition()).toBe(0);
  });
});

describe("loadTokenStates", () => {
  it("folds every token from the log, ignoring other streams", async () => {
    const store = createMemoryEventStore();
    const deps = { store, newId: randomUUID, now: () => now };
    const [a, b] = [randomUUID(), randomUUID()];
    await executeTokenCommand(deps, issue(a, "admin"), context);
    await store.append(
      `job-${randomUUID()}`,
      [{ id: randomUUID(), type: "JobDeleted", data: {}, metadata: {} }],
      { expected: "any" },
    );
    await executeTokenCommand(deps, issue(b), context);
    await executeTokenCommand(deps, { type: "RevokeToken", data: { tokenId: a } }, context);
    const states = await loadTokenStates(store);
    expect([...states.keys()].sort()).toEqual([a, b].sort());
    expect(states.get(a)).toMatchObject({ status: "revoked", role: "admin" });
    expect(states.get(b)).toMatchObject({ status: "issued", role: "viewer" });
  });
});
