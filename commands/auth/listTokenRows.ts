import type pg from "pg";
import { TOKEN_ROW_COLUMNS, type TokenRow } from "./findTokenRow.ts";

/** Every token, oldest first, revoked ones included. */
export async function listTokenRows(pool: pg.Pool, schema: string): Promise<TokenRow[]> {
  const { rows } = await pool.query<TokenRow>(
    `select ${TOKEN_ROW_COLUMNS} from "${schema}".api_tokens order by created_at, id`,
  );
  return rows;
}
