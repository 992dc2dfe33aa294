// The events of a `stream-{id}` stream: a live stream is created, edited, its key rotated; publishers
// start, drop and resume sessions, which end with perhaps a recording and its archive job. The key is a
// secret: events carry its keyed hash (the lookup) and the key sealed under the platform's secret only.
import { z } from "zod";
import { type ParsedEvent, parseEventWithoutUpcasters } from "./parseEventWithoutUpcasters.ts";

const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "expected a lowercase UUID");

export const streamIdSchema = uuid;
export const streamSessionIdSchema = uuid;

/** The keyed hash a publisher's key is looked up by. */
export const streamKeyHashSchema = z
  .string()
  .regex(/^hmac-sha256:[0-9a-f]{64}$/, 'expected "hmac-sha256:" and 64 lowercase hex digits');

/** The key sealed with AES-256-GCM: `aes-256-gcm:<iv>.<ciphertext>.<tag>`, each base64url. */
export const sealedStreamKeySchema = z
  .string()
  .regex(
    /^aes-256-gcm:[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{16,128}\.[A-Za-z0-9_-]{22}$/,
    'expected "aes-256-gcm:" and the iv, ciphertext and tag in base64url',
  );

/** What lists show of a key: its last four characters. */
export const streamKeyHintSchema = z.string().regex(/^[A-Za-z0-9_-]{4}$/, "expected 4 key characters");

export const liveProtocolSchema = z.enum(["rtmp", "srt"]);

const at = z.iso.datetime({ offset: true });
const title = z.string().min(1).max(200);
const description = z.string().max(5000);
const reason = z.string().max(500);

const key = { keyHash: streamKeyHashSchema, sealedKey: sealedStreamKeySchema, keyHint: streamKeyHintSchema };

const event = <Type extends string, Data extends z.ZodType>(type: Type, data: Data) =>
  z.strictObject({ type: z.literal(type), data });

export const streamEventSchema = z.discriminatedUnion("type", [
  event(
    "StreamCreated",
    z.strictObject({ streamId: streamIdSchema, title, description, archiveEnabled: z.boolean(), ...key }),
  ),
  /** Only the settings that changed. */
  event(
    "StreamUpdated",
    z.strictObject({
      streamId: streamIdSchema,
      title: title.optional(),
      description: description.optional(),
      archiveEnabled: z.boolean().optional(),
    }),
  ),
  event("StreamKeyRotated", z.strictObject({ streamId: streamIdSchema, ...key })),
  /** A publisher was admitted and a new session began; `record`: the session is recorded (archive on). */
  event(
    "StreamStarted",
    z.strictObject({
      streamId: streamIdSchema,
      sessionId: streamSessionIdSchema,
      protocol: liveProtocolSchema,
      remoteAddress: z.string().max(200),
      record: z.boolean(),
      at,
    }),
  ),
  /** The publisher dropped: the session waits for it during the reconnect window. */
  event(
    "StreamInterrupted",
    z.strictObject({ streamId: streamIdSchema, sessionId: streamSessionIdSchema, reason, at }),
  ),
  /** The publisher came back within the window: the same session and recording go on. */
  event(
    "StreamResumed",
    z.strictObject({
      streamId: streamIdSchema,
      sessionId: streamSessionIdSchema,
      protocol: liveProtocolSchema,
      remoteAddress: z.string().max(200),
      at,
    }),
  ),
  /** Someone asked to end the session: the ingest disconnects its publisher and reports it ended. */
  event(
    "StreamEndRequested",
    z.strictObject({ streamId: streamIdSchema, sessionId: streamSessionIdSchema, at }),
  ),
  event(
    "StreamEnded",
    z.strictObject({
      streamId: streamIdSchema,
      sessionId: streamSessionIdSchema,
      reason,
      durationSeconds: z.number().min(0),
      at,
    }),
  ),
  /** The whole session is stored as one file in job storage. */
  event(
    "RecordingReady",
    z.strictObject({
      streamId: streamIdSchema,
      sessionId: streamSessionIdSchema,
      objectKey: z.string().min(1).max(1000),
      durationSeconds: z.number().min(0),
      bytes: z.int().min(0),
      segments: z.int().min(0),
    }),
  ),
  /** The VOD job that archives a session's recording was submitted. */
  event(
    "StreamArchiveJobCreated",
    z.strictObject({ streamId: streamIdSchema, sessionId: streamSessionIdSchema, jobId: uuid }),
  ),
  event("StreamDeleted", z.strictObject({ streamId: streamIdSchema })),
]);

export type StreamEvent = z.infer<typeof streamEventSchema>;
export type StreamEventType = StreamEvent["type"];
export type StreamEventData<Type extends StreamEventType> = Extract<StreamEvent, { type: Type }>["data"];
export type LiveProtocolName = z.infer<typeof liveProtocolSchema>;

export const streamEventTypes: readonly StreamEventType[] = streamEventSchema.options.map(
  (option) => option.shape.type.value,
);

export type ParsedStreamEvent = ParsedEvent<StreamEvent>;

export const parseStreamEvent = parseEventWithoutUpcasters<StreamEvent>(streamEventSchema, streamEventTypes);
