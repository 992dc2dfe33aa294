// The events of a `token-{id}` stream: an API token is issued, perhaps re-hashed, then perhaps revoked.
// Only the hash of the secret is ever stored. `parseTokenEvent` reads them as `parseStoredEvent` reads job events.
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
