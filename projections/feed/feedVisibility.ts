// What the live feed shows, and to whom, in one place: per kind of stream the least role that may read
// it, and per event type the fields of its data that go out. A stream no rule names goes to admins only,
// and an event type no rule projects goes out without data: nothing is shown that was not chosen.
import { match } from "ts-pattern";
import type { JsonObject, RecordedEvent } from "../../domain/ports/eventStore.ts";
import { type Actor, hasRole, type Role } from "../../infra/http/httpEnv.ts";
import { errorEventTypes, parseErrorEvent } from "../../schemas/events/errorEvents.ts";
import { jobEventTypes } from "../../schemas/events/jobEvents.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import { parseProfileEvent, profileEventTypes } from "../../schemas/events/profileEvents.ts";
import { errorStream, jobStream, profileStream, tokenStream } from "../../schemas/events/streamNames.ts";
import { parseTokenEvent, tokenEventTypes } from "../../schemas/events/tokenEvents.ts";

interface StreamRule {
  prefix: string;
  /** The least role that receives this stream's events. */
  readableBy: Role;
  eventTypes: readonly string[];
  /** The event's data as the feed shows it, in the current schema version; undefined: nothing of it. */
  show(event: RecordedEvent): JsonObject | undefined;
}

const streamRules: readonly StreamRule[] = [
  {
    prefix: jobStream.prefix,
    readableBy: "viewer",
    eventTypes: jobEventTypes,
    // the job events' schemas are strict: what parses is exactly the fields they name
    show(event) {
      const parsed = parseStoredEvent(event);
      return parsed._tag === "Parsed" ? parsed.event.data : undefined;
    },
  },
  {
    prefix: tokenStream.prefix,
    readableBy: "admin",
    eventTypes: tokenEventTypes,
    show(event) {
      const parsed = parseTokenEvent(event);
      if (parsed._tag !== "Parsed") return undefined;
      // never the hash: whoever reads the feed must not be able to guess a token offline; of a sign-out,
      // when the session would have ended, never which session it was
      return match(parsed.event)
        .with({ type: "TokenIssued" }, ({ data }) => ({
          tokenId: data.tokenId,
          name: data.name,
          userId: data.userId,
          role: data.role,
          prefix: data.prefix,
          ...(data.expiresAt === undefined ? {} : { expiresAt: data.expiresAt }),
        }))
        .with({ type: "TokenRevoked" }, ({ data }) => ({
          tokenId: data.tokenId,
          ...(data.reason === undefined ? {} : { reason: data.reason }),
        }))
        .with({ type: "TokenRehashed" }, ({ data }) => ({ tokenId: data.tokenId }))
        .with({ type: "SessionEnded" }, ({ data }) => ({
          tokenId: data.tokenId,
          expiresAt: data.expiresAt,
        }))
        .exhaustive();
    },
  },
  {
    prefix: errorStream.prefix,
    // every signed-in role lists reported errors (GET /v1/errors): /errors follows them live
    readableBy: "viewer",
    eventTypes: errorEventTypes,
    show(event) {
      const parsed = parseErrorEvent(event);
      if (parsed._tag !== "Parsed") return undefined;
      // what a list row shows; the stack trace and context stay behind GET /v1/errors
      return match(parsed.event)
        .with({ type: "ErrorReported" }, ({ data }) => ({
          errorId: data.errorId,
          sourceComponent: data.sourceComponent,
          severity: data.severity,
          message: data.message,
        }))
        .with({ type: "ErrorResolved" }, ({ data }) => ({ errorId: data.errorId }))
        .exhaustive();
    },
  },
  {
    prefix: profileStream.prefix,
    // every signed-in role lists profiles (GET /v1/profiles): the editor follows them live
    readableBy: "viewer",
    eventTypes: profileEventTypes,
    show(event) {
      const parsed = parseProfileEvent(event);
      if (parsed._tag !== "Parsed") return undefined;
      // which profile changed; its document stays behind GET /v1/profiles/{id}
      return match(parsed.event)
        .with({ type: "ProfileCreated" }, { type: "ProfileUpdated" }, ({ data }) => ({
          profileId: data.profileId,
          name: data.spec.name,
        }))
        .with({ type: "ProfileDeleted" }, ({ data }) => ({ profileId: data.profileId }))
        .exhaustive();
    },
  },
];

const ruleOf = (streamId: string) => streamRules.find((rule) => streamId.startsWith(rule.prefix));

export const feedVisibility = {
  /** Every stored event type some stream of the feed carries: what `types=` may name. */
  eventTypes: streamRules.flatMap((rule) => rule.eventTypes),

  /** Whether this caller receives the events of this stream. */
  mayRead(actor: Actor, streamId: string): boolean {
    return hasRole(actor, ruleOf(streamId)?.readableBy ?? "admin");
  },

  /** The data the feed shows of the event; undefined when it shows none. */
  shownData(event: RecordedEvent): JsonObject | undefined {
    return ruleOf(event.streamId)?.show(event);
  },
};
