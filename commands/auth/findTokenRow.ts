// Reads API tokens from the `api_tokens` read model the tokens projector fills.
import type pg from "pg";

export interface TokenRow {
  id: string;
  name: string;
  user_id: string;
  role: string;
  hash: string;
  prefix: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  /** Signed-out sessions of the token that have not expired yet: session id → expiry (ISO). */
  ended_sessions: Record<string, string>;
}

export const TOKEN_ROW_COLUMNS =
  "id, name, user_id, role, hash, prefix, created_at, expires_at, revoked_at, ended_sessions";

/** `tokenId` must be a UUID (tokenIdOf makes sure). */
export async function findTokenRow(pool: pg.Pool, schema: string, tokenId: string): Promise<TokenRow | null> {
  const { rows } = await pool.query<TokenRow>(
    `select ${TOKEN_ROW_COLUMNS} from "${schema}".api_tokens where id = $1`,
    [tokenId],
  );
  return rows[0] ?? null;
}
