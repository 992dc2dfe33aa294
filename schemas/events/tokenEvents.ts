// The events of a `token-{id}` stream: an API token is issued, perhaps re-hashed, browser sessions it
// opened are signed out, then perhaps it is revoked. Only the hash of the secret is ever stored.
// `parseTokenEvent` reads them as `parseStoredEvent` reads job events.
import { z } from "zod";
import { type ParsedEvent, parseEventWithoutUpcasters } from "./parseEventWithoutUpcasters.ts";

/** Lowercase 8-4-4-4-12 hex: the token names its id as 32 hex digits, so any such value is a valid id. */
export const tokenIdSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "expected a lowercase UUID");

export const tokenRoleSchema = z.enum(["viewer", "operator", "admin"]);

/** The keyed hash tokens are issued with today, and re-hashed to when a legacy token is next used. */
export const keyedTokenHashSchema = z
  .string()
  .regex(/^hmac-sha256:[0-9a-f]{64}$/, 'expected "hmac-sha256:" and 64 lowercase hex digits');

/** Tokens issued before hashes were keyed carry "sha256:<hex>": still read, never written any more. */
export const tokenHashSchema = z.union([
  keyedTokenHashSchema,
  z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 lowercase hex digits'),
]);

/** A browser session's own id (the `sid` of its signed cookie): 16 random bytes, base64url. */
export const sessionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, "expected 16 to 64 base64url characters");

const event = <Type extends string, Data extends z.ZodType>(type: Type, data: Data) =>
  z.strictObject({ type: z.literal(type), data });

export const tokenEventSchema = z.discriminatedUnion("type", [
  event(
    "TokenIssued",
    z.strictObject({
      tokenId: tokenIdSchema,
      name: z.string().min(1).max(100),
      /** The user the token acts for: the actor of every event appended with it. */
      userId: z.string().min(1).max(200),
      role: tokenRoleSchema,
      hash: tokenHashSchema,
      /** The token's first 8 characters, to tell tokens apart in lists. */
      prefix: z.string().length(8),
      expiresAt: z.iso.datetime({ offset: true }).optional(),
    }),
  ),
  event("TokenRevoked", z.strictObject({ tokenId: tokenIdSchema, reason: z.string().max(500).optional() })),
  /** A token issued with an unkeyed hash, re-hashed with the platform's key the next time it was used. */
  event("TokenRehashed", z.strictObject({ tokenId: tokenIdSchema, hash: keyedTokenHashSchema })),
  /**
   * A browser session opened with the token was signed out: every kernel refuses its cookie from now on.
   * `expiresAt` is when the cookie would have stopped working anyway; after it, nobody needs to remember.
   * The session id is no credential (a cookie also needs the platform's signature), yet the feed hides it.
   */
  event(
    "SessionEnded",
    z.strictObject({
      tokenId: tokenIdSchema,
      sessionId: sessionIdSchema,
      expiresAt: z.iso.datetime({ offset: true }),
    }),
  ),
]);

export type TokenEvent = z.infer<typeof tokenEventSchema>;
export type TokenEventType = TokenEvent["type"];
/** The data of one kind of token event: `TokenEventData<"TokenIssued">`. */
export type TokenEventData<Type extends TokenEventType> = Extract<TokenEvent, { type: Type }>["data"];
export type TokenRole = z.infer<typeof tokenRoleSchema>;

export const tokenEventTypes: readonly TokenEventType[] = tokenEventSchema.options.map(
  (option) => option.shape.type.value,
);

export const isTokenEventType = (type: string): type is TokenEventType =>
  (tokenEventTypes as readonly string[]).includes(type);

export type ParsedTokenEvent = ParsedEvent<TokenEvent>;

export const parseTokenEvent = parseEventWithoutUpcasters<TokenEvent>(tokenEventSchema, tokenEventTypes);
