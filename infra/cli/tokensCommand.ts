// `webencode tokens create --role <r> --name <n> | list | revoke <id>`, straight on the event log of
// the installation (the data directory, or DATABASE_URL / EVENT_STORE_URL): how an operator gets a
// token on the server itself, without one already.
import { randomUUID } from "node:crypto";
import { createTokenService } from "../../commands/auth/tokenService.ts";
import { tokenHashKey } from "../../domain/token/mintToken.ts";
import type { Actor } from "../http/httpEnv.ts";
import { openDatabase } from "../platform/openDatabase.ts";
import { persistentSecret } from "../platform/persistentSecret.ts";

const OPERATOR_AT_CONSOLE: Actor = { userId: "console", role: "system" };
const ROLES = ["viewer", "operator", "admin"] as const;

export interface TokensOptions {
  dataDir: string;
  role?: string;
  name?: string;
  json?: boolean;
}

export async function tokensCommand(args: string[], options: TokensOptions): Promise<number> {
  const [action, id] = args;
  if (!["create", "list", "revoke"].includes(action ?? "") || (action === "revoke" && !id)) {
    console.error(
      "usage: webencode tokens create --role viewer|operator|admin --name <name> | list | revoke <id>",
    );
    return 2;
  }
  if (action === "create" && !ROLES.includes(options.role as (typeof ROLES)[number])) {
    console.error(`--role must be one of ${ROLES.join(", ")}`);
    return 2;
  }
  const db = await openDatabase({
    dataDir: options.dataDir,
    databaseUrl: process.env.DATABASE_URL,
    eventStoreUrl: process.env.EVENT_STORE_URL,
  });
  try {
    const service = createTokenService({
      store: db.store,
      pool: db.pool,
      schema: db.readModelSchema,
      newId: randomUUID,
      now: () => new Date(),
      // a running kernel projects the token; this process does not wait for it
      waitForProjection: async () => true,
      // the kernel's own key, or its tokens would not verify there
      hashKey: tokenHashKey(
        process.env.WEBENCODE_SECRET || (await persistentSecret(options.dataDir, "signing-key")),
      ),
    });
    if (action === "create") {
      const issued = await service.issue(
        { name: options.name ?? `${options.role} token`, role: options.role as (typeof ROLES)[number] },
        OPERATOR_AT_CONSOLE,
      );
      if (issued._tag !== "Issued") {
        console.error(`${issued._tag}: ${"message" in issued ? issued.message : ""}`);
        return 1;
      }
      if (options.json)
        console.log(JSON.stringify({ id: issued.tokenId, role: issued.role, token: issued.token }));
      else {
        console.error(
          `created ${issued.role} token ${issued.tokenId} (${issued.name}); the secret is shown once:`,
        );
        console.log(issued.token);
      }
      return 0;
    }
    if (action === "revoke") {
      const revoked = await service.revoke(id!, OPERATOR_AT_CONSOLE, { reason: "revoked from the console" });
      if (revoked._tag !== "Revoked") {
        console.error(`${revoked._tag}: ${"message" in revoked ? revoked.message : ""}`);
        return 1;
      }
      console.error(`revoked ${id}`);
      return 0;
    }
    const tokens = await service.tokensFromLog();
    if (options.json) {
      console.log(
        JSON.stringify(
          tokens.map((t) => ({
            id: t.tokenId,
            name: t.name,
            role: t.role,
            user_id: t.userId,
            prefix: t.prefix,
            status: t.status,
            active: t.active,
          })),
        ),
      );
      return 0;
    }
    for (const t of tokens) {
      console.log(
        `${t.tokenId}  ${t.role.padEnd(8)} ${(t.active ? "active" : t.status).padEnd(8)} ${t.prefix}…  ${t.name}`,
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}
