// The API-token read model: what authentication looks up by id and what GET /v1/tokens lists. It holds
// hashes, never secrets; timestamps come from event metadata. Signed-out sessions ride on their token's
// row, so the one lookup (and cache) that catches a revocation catches a sign-out too.
import type { ReadModelTable } from "../projector.ts";

export const apiTokensTable: ReadModelTable = {
  name: "api_tokens",
  createTable: (t) => `
    create table ${t} (
      id uuid primary key,
      name text not null,
      user_id text not null,
      role text not null,
      hash text not null,
      prefix text not null,
      created_at timestamptz not null,
      expires_at timestamptz,
      revoked_at timestamptz,
      ended_sessions jsonb not null,
      last_position bigint not null
    )`,
  createIndexes: (t, prefix) => `
    create index ${prefix}_created on ${t} (created_at, id);
    create index ${prefix}_user on ${t} (user_id);`,
};
