// Folds token events into `api_tokens` rows. Pure: a row changes only from the event and its metadata.
import { match } from "ts-pattern";
import type { EventMetadata } from "../../schemas/events/eventMetadata.ts";
import type { TokenEvent } from "../../schemas/events/tokenEvents.ts";

export interface ApiTokenRow {
  id: string;
  name: string;
  user_id: string;
  role: string;
  hash: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  /** Signed-out sessions that have not expired yet: session id → when it would have expired. */
  ended_sessions: Record<string, string>;
  last_position: number;
}

/**
 * The ended sessions still worth remembering at `at` (an event's time, so a rebuild keeps the same):
 * a row holds no more than the sign-outs of its token's last session lifetime.
 */
const unexpired = (sessions: Record<string, string>, at: string): Record<string, string> =>
  Object.fromEntries(Object.entries(sessions).filter(([, until]) => Date.parse(until) > Date.parse(at)));

export function applyTokenEvent(
  rows: Map<string, ApiTokenRow>,
  event: TokenEvent,
  metadata: EventMetadata,
  position: number,
): void {
  match(event)
    .with({ type: "TokenIssued" }, ({ data }) => {
      rows.set(data.tokenId, {
        id: data.tokenId,
        name: data.name,
        user_id: data.userId,
        role: data.role,
        hash: data.hash,
        prefix: data.prefix,
        created_at: metadata.occurredAt,
        expires_at: data.expiresAt ?? null,
        revoked_at: null,
        ended_sessions: {},
        last_position: position,
      });
    })
    .with({ type: "TokenRevoked" }, ({ data }) => {
      const row = rows.get(data.tokenId);
      if (!row) throw new Error(`TokenRevoked for token ${data.tokenId} before TokenIssued`);
      row.revoked_at = metadata.occurredAt;
      // a revoked token refuses every session it opened: none needs remembering one by one
      row.ended_sessions = {};
      row.last_position = position;
    })
    .with({ type: "TokenRehashed" }, ({ data }) => {
      const row = rows.get(data.tokenId);
      if (!row) throw new Error(`TokenRehashed for token ${data.tokenId} before TokenIssued`);
      row.hash = data.hash;
      row.last_position = position;
    })
    .with({ type: "SessionEnded" }, ({ data }) => {
      const row = rows.get(data.tokenId);
      if (!row) throw new Error(`SessionEnded for token ${data.tokenId} before TokenIssued`);
      if (row.revoked_at === null) {
        row.ended_sessions = unexpired(
          { ...row.ended_sessions, [data.sessionId]: data.expiresAt },
          metadata.occurredAt,
        );
      }
      row.last_position = position;
    })
    .exhaustive();
}
