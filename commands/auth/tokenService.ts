// API tokens on the command side: issue and revoke them as events, list them, and turn a bearer secret,
// an SSE ticket or a session cookie into an actor. Token rows are cached for at most `cacheTtlMs`: another
// process's revocation or sign-out is seen within that of being projected, one made here at once.
import { randomBytes as cryptoRandomBytes } from "node:crypto";
import type pg from "pg";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import {
  hashToken,
  mintToken,
  TOKEN_SECRET_BYTES,
  type TokenHashKey,
  tokenPrefix,
} from "../../domain/token/mintToken.ts";
import { tokenIdOf } from "../../domain/token/tokenIdOf.ts";
import { type TokenRejected, tokenRejected } from "../../domain/token/tokenRejected.ts";
import type { Token } from "../../domain/token/tokenState.ts";
import { verifyTokenHash } from "../../domain/token/verifyTokenHash.ts";
import { type Actor, hasRole, type Role } from "../../infra/http/httpEnv.ts";
import { type TokenRole, tokenIdSchema, tokenRoleSchema } from "../../schemas/events/tokenEvents.ts";
import { createAggregateCache } from "../executeCommand.ts";
import { executeTokenCommand } from "./executeTokenCommand.ts";
import { findTokenRow, type TokenRow } from "./findTokenRow.ts";
import { listTokenRows } from "./listTokenRows.ts";
import { loadTokenStates } from "./loadTokenStates.ts";
import { type IssuedSession, issueSession, verifySession } from "./sessionCookie.ts";
import { type IssuedTicket, issueTicket, verifyTicket } from "./sseTicket.ts";

export interface TokenServiceDeps {
  store: EventStore;
  pool: pg.Pool;
  /** Schema of the read models, where the tokens projector keeps `api_tokens`. */
  schema: string;
  newId: () => string;
  now: () => Date;
  /** Resolves once the tokens projector has applied `position`; false when it gave up waiting. */
  waitForProjection: (position: number) => Promise<boolean>;
  /** Keys token hashes (tokenHashKey of the platform's signing secret); every process must share it. */
  hashKey: TokenHashKey;
  /** Signs SSE tickets; replicas behind one address must share it. Default: random, this process only. */
  ticketSecret?: Uint8Array;
  randomBytes?: (size: number) => Uint8Array;
  /** How long a token row read from the database is trusted. Default 1000 ms. */
  cacheTtlMs?: number;
  /** Where a failed re-hash of a legacy token is reported; the request it came with still succeeds. */
  log?: (message: string) => void;
}

export interface IssueTokenInput {
  name: string;
  role: Role;
  /** The user the token acts for; default `token:<token id>`, a user of its own. */
  userId?: string;
  /** ISO timestamp after `now`; default never. */
  expiresAt?: string;
  /** Registers this secret instead of minting one (WEBENCODE_ADMIN_TOKEN); its id follows from it. */
  secret?: string;
}

/** Who a command comes from, beyond the actor: the request's id and the correlation it belongs to. */
export interface RequestTrace {
  requestId?: string;
  correlationId?: string;
}

export interface TokenSummary {
  tokenId: string;
  name: string;
  userId: string;
  role: TokenRole;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface IssuedToken extends TokenSummary {
  _tag: "Issued";
  /** The secret: shown once, stored nowhere. */
  token: string;
  /** Event-log position of the issue (X-WebEncode-Position). */
  position: number;
}

export interface Revoked {
  _tag: "Revoked";
  tokenId: string;
  position: number;
}

/** A session signed out; `position`: where its SessionEnded was recorded, or the token's last event. */
export interface EndedSession {
  _tag: "EndedSession";
  sessionId: string;
  position: number;
}

export interface Forbidden {
  _tag: "Forbidden";
  code: "WE-AUTH-003";
  message: string;
}

export type AuthFailureReason =
  | "missing"
  | "malformed"
  | "unknown"
  | "mismatch"
  | "revoked"
  | "expired"
  | "invalid_ticket"
  | "ticket_expired"
  | "invalid_session"
  | "session_expired"
  | "signed_out";

/** Why a secret or ticket does not authenticate. WE-AUTH-002 only for an expiry: the client may renew. */
export interface AuthFailure {
  _tag: "AuthFailure";
  code: "WE-AUTH-001" | "WE-AUTH-002";
  reason: AuthFailureReason;
  message: string;
}

/** A token as the log tells it, with whether it works now. */
export interface LoggedToken extends Token {
  active: boolean;
}

export interface TokenAuthenticator {
  authenticate(bearer: string): Promise<Actor | AuthFailure>;
  authenticateTicket(ticket: string): Promise<Actor | AuthFailure>;
  /** The actor of a browser's session cookie, with the CSRF secret its mutations must send back. */
  authenticateSession(value: string): Promise<SessionActor | AuthFailure>;
}

/** Who a session cookie signs in, and what its mutations must echo in X-CSRF-Token. */
export interface SessionActor {
  _tag: "SessionActor";
  actor: Actor;
  csrf: string;
  sessionId: string;
  expiresAt: Date;
}

export interface OpenedSession {
  _tag: "OpenedSession";
  actor: Actor;
  session: IssuedSession;
}

export interface TokenService extends TokenAuthenticator {
  issue(
    input: IssueTokenInput,
    actor: Actor,
    trace?: RequestTrace,
  ): Promise<IssuedToken | TokenRejected | Forbidden>;
  revoke(
    tokenId: string,
    actor: Actor,
    trace?: RequestTrace & { reason?: string },
  ): Promise<Revoked | TokenRejected | Forbidden>;
  list(): Promise<TokenSummary[]>;
  issueTicket(actor: Actor): IssuedTicket;
  /** Trades a bearer token for a browser session bound to it. */
  openSession(bearer: string): Promise<OpenedSession | AuthFailure>;
  /**
   * Signs a session out as an event on its token's stream: its cookie is refused from now on, here at
   * once and by every replica within the revocation bound, even if the browser kept it. A cookie that no
   * longer signs anyone in has nothing to end: its AuthFailure comes back.
   */
  endSession(value: string, trace?: RequestTrace): Promise<EndedSession | AuthFailure | TokenRejected>;
  /** Every token folded from the event log, for start-up decisions that must not wait on a projector. */
  tokensFromLog(): Promise<LoggedToken[]>;
  /**
   * Whether `secret` is the token behind `hash`. A legacy unkeyed hash that matches is replaced by a
   * keyed one (TokenRehashed) before this returns, unless the token no longer works.
   */
  checkSecret(token: Pick<Token, "tokenId" | "hash" | "status">, secret: string): Promise<boolean>;
  /** Runs `work` while holding a database lock named `name`: one process at a time, across replicas. */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T>;
}

export const isAuthFailure = (value: Actor | AuthFailure): value is AuthFailure =>
  "_tag" in value && value._tag === "AuthFailure";

const failure = (reason: AuthFailureReason, message: string): AuthFailure => ({
  _tag: "AuthFailure",
  code:
    reason === "expired" || reason === "ticket_expired" || reason === "session_expired"
      ? "WE-AUTH-002"
      : "WE-AUTH-001",
  reason,
  message,
});

const forbidden = (message: string): Forbidden => ({ _tag: "Forbidden", code: "WE-AUTH-003", message });

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

const summaryOf = (row: TokenRow): TokenSummary | null => {
  const role = tokenRoleSchema.safeParse(row.role);
  if (!role.success) return null;
  return {
    tokenId: row.id,
    name: row.name,
    userId: row.user_id,
    role: role.data,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
  };
};

const CACHE_LIMIT = 10_000;

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const { store, pool, schema, newId, now, waitForProjection, hashKey } = deps;
  const log = deps.log ?? (() => {});
  const randomBytes = deps.randomBytes ?? ((size: number) => cryptoRandomBytes(size));
  const ticketSecret = deps.ticketSecret ?? cryptoRandomBytes(32);
  const cacheTtlMs = deps.cacheTtlMs ?? 1000;
  const cache = new Map<string, { row: TokenRow; readAt: number }>();
  // Revoked through this process: refused at once, whatever the cache or the projector says.
  const revokedHere = new Set<string>();
  // Sessions signed out through this process, until they would have expired anyway: refused at once,
  // whatever the cache or the projector says (every other process reads them from the token's row).
  const signedOut = new Map<string, number>();
  const sessionKey = () => ({ secret: ticketSecret, now: now() });
  // a token's stream grows by one event per sign-out: a command reads only what came after its last fold
  const aggregates = createAggregateCache(CACHE_LIMIT);

  function remember(row: TokenRow) {
    cache.delete(row.id);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(row.id, { row, readAt: performance.now() });
  }

  async function rowOf(tokenId: string): Promise<TokenRow | null> {
    const cached = cache.get(tokenId);
    if (cached && performance.now() - cached.readAt < cacheTtlMs) return cached.row;
    cache.delete(tokenId);
    const row = await findTokenRow(pool, schema, tokenId);
    if (row) remember(row);
    return row;
  }

  /** The actor of a token row, or why the row does not authenticate. Call only once the secret matched. */
  function actorOf(row: TokenRow): Actor | AuthFailure {
    if (row.revoked_at !== null || revokedHere.has(row.id))
      return failure("revoked", "The token was revoked");
    if (row.expires_at !== null && row.expires_at.getTime() <= now().getTime()) {
      return failure("expired", `The token expired at ${row.expires_at.toISOString()}`);
    }
    const role = tokenRoleSchema.safeParse(row.role);
    if (!role.success) return failure("unknown", "The token is not valid");
    return { userId: row.user_id, role: role.data, tokenId: row.id };
  }

  const SYSTEM: Actor = { userId: "system", role: "system" };

  /** Records the keyed hash of a legacy token whose secret just matched. Never fails the caller. */
  async function rehash(tokenId: string, secret: string): Promise<void> {
    const hash = hashToken(secret, hashKey);
    try {
      const result = await executeTokenCommand(
        { store, newId, now, cache: aggregates },
        { type: "RehashToken", data: { tokenId, hash } },
        contextOf(SYSTEM, {}),
      );
      if (result._tag === "TokenRejected") throw new Error(result.message);
      const cached = cache.get(tokenId);
      if (cached) cached.row = { ...cached.row, hash };
    } catch (error) {
      log(`token ${tokenId} keeps its unkeyed hash for now: ${(error as Error).message}`);
    }
  }

  async function checkSecret(
    token: { tokenId: string; hash: string; active: boolean },
    secret: string,
  ): Promise<boolean> {
    const check = verifyTokenHash(secret, token.hash, hashKey);
    if (check === "MatchesLegacy" && token.active) await rehash(token.tokenId, secret);
    return check !== "Mismatch";
  }

  const contextOf = (actor: Actor, trace: RequestTrace) => {
    const correlationId = trace.correlationId ?? newId();
    return {
      correlationId,
      causationId: correlationId,
      actor: { userId: actor.userId, role: actor.role },
      ...(trace.requestId === undefined ? {} : { requestId: trace.requestId }),
    };
  };

  const service: TokenService = {
    async issue(input, actor, trace = {}) {
      if (!hasRole(actor, "admin")) return forbidden("Issuing tokens needs the admin role");
      const tokenId = input.secret === undefined ? newId() : tokenIdOf(input.secret);
      if (tokenId === null || !tokenIdSchema.safeParse(tokenId).success) {
        return tokenRejected(
          "InvalidToken",
          "The secret is neither a token nor 24 to 512 visible characters",
        );
      }
      const minted =
        input.secret === undefined
          ? mintToken(tokenId, randomBytes(TOKEN_SECRET_BYTES), hashKey)
          : { token: input.secret, hash: hashToken(input.secret, hashKey), prefix: tokenPrefix(tokenId) };
      const data = {
        tokenId,
        name: input.name,
        userId: input.userId ?? `token:${tokenId}`,
        role: input.role,
        hash: minted.hash,
        prefix: minted.prefix,
        ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
      };
      const issuedAt = now();
      const result = await executeTokenCommand(
        { store, newId, now: () => issuedAt, cache: aggregates },
        { type: "IssueToken", data: { ...data, now: issuedAt.toISOString() } },
        contextOf(actor, trace),
      );
      if (result._tag === "TokenRejected") return result;
      // read-your-writes: the token works as soon as it is handed out
      await waitForProjection(result.position);
      const row: TokenRow = {
        id: tokenId,
        name: data.name,
        user_id: data.userId,
        role: data.role,
        hash: data.hash,
        prefix: data.prefix,
        created_at: issuedAt,
        expires_at: input.expiresAt === undefined ? null : new Date(input.expiresAt),
        revoked_at: null,
        ended_sessions: {},
      };
      remember(row);
      return { _tag: "Issued", ...summaryOf(row)!, token: minted.token, position: result.position };
    },

    async revoke(tokenId, actor, { reason, ...trace } = {}) {
      if (!hasRole(actor, "admin")) return forbidden("Revoking tokens needs the admin role");
      const result = await executeTokenCommand(
        { store, newId, now, cache: aggregates },
        { type: "RevokeToken", data: { tokenId, ...(reason === undefined ? {} : { reason }) } },
        contextOf(actor, trace),
      );
      if (result._tag === "TokenRejected") return result;
      revokedHere.add(tokenId);
      cache.delete(tokenId);
      await waitForProjection(result.position);
      return { _tag: "Revoked", tokenId, position: result.position };
    },

    async list() {
      return (await listTokenRows(pool, schema)).flatMap((row) => summaryOf(row) ?? []);
    },

    async authenticate(bearer) {
      const tokenId = tokenIdOf(bearer);
      if (tokenId === null) return failure("malformed", "The bearer token is not a WebEncode token");
      const row = await rowOf(tokenId);
      if (row === null) return failure("unknown", "The token is not valid");
      // the secret first: without it, nobody learns whether an id exists, was revoked or expired
      const actor = actorOf(row);
      const matches = await checkSecret(
        { tokenId: row.id, hash: row.hash, active: !isAuthFailure(actor) },
        bearer,
      );
      if (!matches) return failure("mismatch", "The token is not valid");
      return actor;
    },

    async authenticateTicket(ticket) {
      const checked = verifyTicket(ticket, { secret: ticketSecret, now: now() });
      if (checked._tag === "InvalidTicket") return failure("invalid_ticket", "The ticket is not valid");
      if (checked._tag === "TicketExpired") {
        return failure("ticket_expired", `The ticket expired at ${checked.expiredAt.toISOString()}`);
      }
      const { tokenId } = checked.actor;
      if (tokenId === undefined) return checked.actor;
      // a ticket dies with the token it was exchanged for
      const row = tokenIdSchema.safeParse(tokenId).success ? await rowOf(tokenId) : null;
      if (row === null) return failure("unknown", "The ticket's token is not valid");
      const actor = actorOf(row);
      return isAuthFailure(actor) ? actor : checked.actor;
    },

    issueTicket: (actor) => issueTicket(actor, { secret: ticketSecret, now: now() }),

    async openSession(bearer) {
      const actor = await service.authenticate(bearer);
      if (isAuthFailure(actor)) return actor;
      if (actor.tokenId === undefined) return failure("unknown", "Only an API token opens a session");
      const row = await rowOf(actor.tokenId);
      const session = issueSession(actor.tokenId, sessionKey(), row?.expires_at ?? undefined);
      return { _tag: "OpenedSession", actor, session };
    },

    async authenticateSession(value) {
      const checked = verifySession(value, sessionKey());
      if (checked._tag === "InvalidSession") {
        return failure("invalid_session", "The session is not valid: sign in again");
      }
      if (checked._tag === "SessionExpired") {
        return failure("session_expired", `The session expired at ${checked.expiredAt.toISOString()}`);
      }
      // a session dies with the token it was opened with
      const row = tokenIdSchema.safeParse(checked.tokenId).success ? await rowOf(checked.tokenId) : null;
      if (row === null) return failure("unknown", "The session's token is not valid");
      if (signedOut.has(checked.sessionId) || Object.hasOwn(row.ended_sessions, checked.sessionId)) {
        return failure("signed_out", "The session was signed out: sign in again");
      }
      const actor = actorOf(row);
      if (isAuthFailure(actor)) return actor;
      const { csrf, sessionId, expiresAt } = checked;
      return { _tag: "SessionActor", actor, csrf, sessionId, expiresAt };
    },

    async endSession(value, trace = {}) {
      const session = await service.authenticateSession(value);
      if (session._tag === "AuthFailure") return session;
      const { actor, sessionId, expiresAt } = session;
      const { tokenId } = actor;
      if (tokenId === undefined) return failure("unknown", "The session's token is not valid");
      const at = now();
      const result = await executeTokenCommand(
        { store, newId, now: () => at, cache: aggregates },
        {
          type: "EndSession",
          data: { tokenId, sessionId, expiresAt: expiresAt.toISOString(), now: at.toISOString() },
        },
        contextOf(actor, trace),
      );
      if (result._tag === "TokenRejected") return result;
      // only once recorded: a sign-out that failed to append must still append when it is tried again
      for (const [id, until] of signedOut) if (until <= at.getTime()) signedOut.delete(id);
      signedOut.set(sessionId, expiresAt.getTime());
      cache.delete(tokenId);
      await waitForProjection(result.position);
      return { _tag: "EndedSession", sessionId, position: result.position };
    },

    checkSecret: (token, secret) =>
      checkSecret({ tokenId: token.tokenId, hash: token.hash, active: token.status === "issued" }, secret),

    async tokensFromLog() {
      const at = now().getTime();
      return [...(await loadTokenStates(store)).values()].map((token) => ({
        ...token,
        active:
          token.status === "issued" && (token.expiresAt === undefined || Date.parse(token.expiresAt) > at),
      }));
    },

    async exclusive(name, work) {
      const client = await pool.connect();
      const key = `webencode-tokens:${schema}:${name}`;
      try {
        await client.query("select pg_advisory_lock(hashtext($1))", [key]);
        try {
          return await work();
        } finally {
          await client.query("select pg_advisory_unlock(hashtext($1))", [key]);
        }
      } finally {
        client.release();
      }
    },
  };
  return service;
}
