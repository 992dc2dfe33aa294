import { describe, expect, it } from "vitest";
import type { Actor } from "../../infra/http/httpEnv.ts";
import { createFeedClients } from "./feedClients.ts";

const tokenA: Actor = { userId: "u-a", role: "viewer", tokenId: "a" };
const tokenB: Actor = { userId: "u-b", role: "viewer", tokenId: "b" };

describe("feed clients", () => {
  it("admits up to the per-token limit and the server-wide limit, and a release frees a place", () => {
    const clients = createFeedClients({ maxClients: 3, maxClientsPerToken: 2 });
    const first = clients.admit(tokenA, () => {});
    expect(first._tag).toBe("Admitted");
    expect(clients.admit(tokenA, () => {})._tag).toBe("Admitted");
    expect(clients.admit(tokenA, () => {})).toEqual({ _tag: "TooManyClients", per: "token", limit: 2 });
    expect(clients.admit(tokenB, () => {})._tag).toBe("Admitted");
    expect(clients.admit(tokenB, () => {})).toEqual({ _tag: "TooManyClients", per: "server", limit: 3 });
    if (first._tag !== "Admitted") throw new Error("not admitted");
    first.release();
    first.release(); // twice is once
    expect(clients.size).toBe(2);
    expect(clients.admit(tokenA, () => {})._tag).toBe("Admitted");
  });

  it("counts callers without a token per user", () => {
    const clients = createFeedClients({ maxClients: 10, maxClientsPerToken: 1 });
    const system: Actor = { userId: "system", role: "system" };
    expect(clients.admit(system, () => {})._tag).toBe("Admitted");
    expect(clients.admit(system, () => {})._tag).toBe("TooManyClients");
  });

  it("ends every open feed of a revoked token, none of another, and refuses the token from then on", () => {
    const clients = createFeedClients({ maxClients: 10, maxClientsPerToken: 10 });
    const ended: string[] = [];
    clients.admit(tokenA, () => ended.push("a1"));
    clients.admit(tokenA, () => ended.push("a2"));
    clients.admit(tokenB, () => ended.push("b1"));
    clients.revokeToken("a");
    expect(ended).toEqual(["a1", "a2"]);
    expect(clients.admit(tokenA, () => {})).toEqual({ _tag: "TokenRevoked" });
    expect(clients.admit(tokenB, () => {})._tag).toBe("Admitted");
  });
});
