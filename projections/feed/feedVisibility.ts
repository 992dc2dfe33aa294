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
import { parseRestreamEvent, restreamEventTypes } from "../../schemas/events/restreamEvents.ts";
import { parseStreamEvent, streamEventTypes } from "../../schemas/events/streamEvents.ts";
import {
  errorStream,
  jobStream,
  liveStream,
  profileStream,
  restreamStream,
  tokenStream,
} from "../../schemas/events/streamNames.ts";
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
  {
    prefix: liveStream.prefix,
    // every signed-in role lists streams (GET /v1/streams): the studio follows them live
    readableBy: "viewer",
    eventTypes: streamEventTypes,
    show(event) {
      const parsed = parseStreamEvent(event);
      if (parsed._tag !== "Parsed") return undefined;
      // never the key, sealed or hashed, nor the publisher's address
      return match(parsed.event)
        .with({ type: "StreamCreated" }, ({ data }) => ({
          streamId: data.streamId,
          title: data.title,
          archiveEnabled: data.archiveEnabled,
        }))
        .with({ type: "StreamKeyRotated" }, ({ data }) => ({ streamId: data.streamId }))
        .with({ type: "StreamStarted" }, { type: "StreamResumed" }, ({ data }) => ({
          streamId: data.streamId,
          sessionId: data.sessionId,
          protocol: data.protocol,
          at: data.at,
        }))
        .with(
          { type: "StreamUpdated" },
          { type: "StreamInterrupted" },
          { type: "StreamEndRequested" },
          { type: "StreamEnded" },
          { type: "RecordingReady" },
          { type: "StreamArchiveJobCreated" },
          { type: "StreamDeleted" },
          ({ data }) => data,
        )
        .exhaustive();
    },
  },
  {
    prefix: restreamStream.prefix,
    // every signed-in role lists restreams (GET /v1/restreams): the restream pages follow them live
    readableBy: "viewer",
    eventTypes: restreamEventTypes,
    show(event) {
      const parsed = parseRestreamEvent(event);
      if (parsed._tag !== "Parsed") return undefined;
      // never a destination URL, not even sealed: the document stays behind GET /v1/restreams/{id}
      return match(parsed.event)
        .with({ type: "RestreamCreated" }, { type: "RestreamUpdated" }, ({ data }) => ({
          restreamId: data.restreamId,
          title: data.title,
        }))
        .with({ type: "RestreamDeleted" }, ({ data }) => ({ restreamId: data.restreamId }))
        .with(
          { type: "RestreamStarted" },
          { type: "RestreamStopped" },
          { type: "RestreamDestinationStateChanged" },
          ({ data }) => ({
            ...data,
          }),
        )
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
