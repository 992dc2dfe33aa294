// Projects `token-{id}` streams into `api_tokens`: per batch one read of the rows it touches, the fold in
// memory, one multi-row upsert.
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import { tokenStream } from "../../schemas/events/streamNames.ts";
import { parseTokenEvent, tokenIdSchema } from "../../schemas/events/tokenEvents.ts";
import { type ProjectionContext, ProjectionError, type Projector } from "../projector.ts";
import { type ApiTokenRow, applyTokenEvent } from "./tokenRows.ts";
import { apiTokensTable } from "./tokensTable.ts";

const COLUMNS = Object.keys({
  id: 0,
  name: 0,
  user_id: 0,
  role: 0,
  hash: 0,
  prefix: 0,
  created_at: 0,
  expires_at: 0,
  revoked_at: 0,
  ended_sessions: 0,
  last_position: 0,
} satisfies Record<keyof ApiTokenRow, 0>);

export const tokensProjector: Projector = {
  name: "tokens",
  // 2: signed-out sessions (SessionEnded) in `ended_sessions`
  version: 2,
  tables: [apiTokensTable],
  filter: { streamPrefixes: [tokenStream.prefix] },
  async apply(events: readonly RecordedEvent[], context: ProjectionContext) {
    const table = context.table("api_tokens");
    // a stream name that is no token id is refused below, with its position, not by the uuid cast
    const ids = [...new Set(events.map((e) => tokenStream.idOf(e.streamId)))].filter(
      (id) => tokenIdSchema.safeParse(id).success,
    );
    // to_jsonb: rows come back exactly as they go in (bigints as numbers, timestamps as ISO text)
    const { rows: loaded } = await context.query<{ r: ApiTokenRow }>(
      `select to_jsonb(t) as r from ${table} t where id = any($1::uuid[])`,
      [ids],
    );
    const rows = new Map(loaded.map(({ r }) => [r.id, r]));
    const dirty = new Set<string>();
    for (const recorded of events) {
      const parsed = parseTokenEvent(recorded);
      if (parsed._tag === "UnknownEventType") {
        throw new ProjectionError(
          "tokens",
          recorded,
          `unknown event type ${parsed.type}`,
          "unknown_event_type",
        );
      }
      if (parsed._tag === "MalformedEvent") {
        throw new ProjectionError(
          "tokens",
          recorded,
          `malformed event: ${JSON.stringify(parsed.issues).slice(0, 500)}`,
        );
      }
      const { tokenId } = parsed.event.data;
      if (recorded.streamId !== tokenStream.name(tokenId)) {
        throw new ProjectionError("tokens", recorded, `event of token ${tokenId} in another token's stream`);
      }
      try {
        applyTokenEvent(rows, parsed.event, parsed.metadata, recorded.position);
      } catch (error) {
        throw new ProjectionError("tokens", recorded, (error as Error).message);
      }
      dirty.add(tokenId);
    }
    if (dirty.size === 0) return;
    const updates = COLUMNS.filter((c) => c !== "id").map((c) => `${c} = excluded.${c}`);
    await context.write(
      `insert into ${table} (${COLUMNS.join(", ")})
       select ${COLUMNS.join(", ")} from jsonb_populate_recordset(null::${table}, $1::jsonb)
       on conflict (id) do update set ${updates.join(", ")}`,
      [JSON.stringify([...dirty].map((id) => rows.get(id)))],
    );
  },
};
