// Projects `stream-{id}` streams into `streams` and `stream_sessions`. Telemetry never comes here: it
// lives on the progress bus and in the kernel's memory only.
import { match } from "ts-pattern";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import { parseStreamEvent } from "../../schemas/events/streamEvents.ts";
import { liveStream } from "../../schemas/events/streamNames.ts";
import { ProjectionError, type Projector } from "../projector.ts";
import { streamSessionsTable, streamsTable } from "./streamsTables.ts";

export const streamsProjector: Projector = {
  name: "streams",
  version: 1,
  tables: [streamsTable, streamSessionsTable],
  filter: { streamPrefixes: [liveStream.prefix] },
  async apply(events: readonly RecordedEvent[], context) {
    const streams = context.table("streams");
    const sessions = context.table("stream_sessions");
    for (const recorded of events) {
      const parsed = parseStreamEvent(recorded);
      if (parsed._tag === "UnknownEventType") {
        throw new ProjectionError(
          "streams",
          recorded,
          `unknown event type ${parsed.type}`,
          "unknown_event_type",
        );
      }
      if (parsed._tag === "MalformedEvent") {
        throw new ProjectionError(
          "streams",
          recorded,
          `malformed event: ${JSON.stringify(parsed.issues).slice(0, 500)}`,
        );
      }
      const { event, metadata } = parsed;
      if (recorded.streamId !== liveStream.name(event.data.streamId)) {
        throw new ProjectionError(
          "streams",
          recorded,
          `event of stream ${event.data.streamId} in another stream`,
        );
      }
      const id = event.data.streamId;
      const when = metadata.occurredAt;
      const { revision, position } = recorded;
      /** The stream row's settings unchanged: only where it stands and when it was last touched. */
      const touch = (set: string, params: unknown[] = []) =>
        context.write(
          `update ${streams} set ${set}${set === "" ? "" : ", "}updated_at = $2, last_activity_at = $2, revision = $3,
             last_position = $4
           where id = $1`,
          [id, when, revision, position, ...params],
        );
      await match(event)
        .with({ type: "StreamCreated" }, ({ data }) =>
          context.write(
            `insert into ${streams} (id, title, description, archive_enabled, key_hash, sealed_key, key_hint, status,
               current_session_id, session_count, created_at, updated_at, last_activity_at, revision, last_position)
             values ($1, $2, $3, $4, $5, $6, $7, 'idle', null, 0, $8, $8, $8, $9, $10)`,
            [
              id,
              data.title,
              data.description,
              data.archiveEnabled,
              data.keyHash,
              data.sealedKey,
              data.keyHint,
              when,
              revision,
              position,
            ],
          ),
        )
        .with({ type: "StreamUpdated" }, ({ data }) =>
          context.write(
            `update ${streams} set title = coalesce($5, title), description = coalesce($6, description),
               archive_enabled = coalesce($7, archive_enabled), updated_at = $2, revision = $3, last_position = $4
             where id = $1`,
            [
              id,
              when,
              revision,
              position,
              data.title ?? null,
              data.description ?? null,
              data.archiveEnabled ?? null,
            ],
          ),
        )
        .with({ type: "StreamKeyRotated" }, ({ data }) =>
          context.write(
            `update ${streams} set key_hash = $5, sealed_key = $6, key_hint = $7, updated_at = $2, revision = $3,
               last_position = $4
             where id = $1`,
            [id, when, revision, position, data.keyHash, data.sealedKey, data.keyHint],
          ),
        )
        .with({ type: "StreamStarted" }, async ({ data }) => {
          await context.write(
            `insert into ${sessions} (id, stream_id, status, protocol, remote_address, record, started_at,
               end_requested, interruptions, last_position)
             values ($1, $2, 'live', $3, $4, $5, $6, false, 0, $7)`,
            [data.sessionId, id, data.protocol, data.remoteAddress, data.record, data.at, position],
          );
          await touch("status = 'live', current_session_id = $5, session_count = session_count + 1", [
            data.sessionId,
          ]);
        })
        .with({ type: "StreamInterrupted" }, async ({ data }) => {
          await context.write(
            `update ${sessions} set status = 'reconnecting', interruptions = interruptions + 1, last_position = $2
             where id = $1`,
            [data.sessionId, position],
          );
          await touch("status = 'reconnecting'");
        })
        .with({ type: "StreamResumed" }, async ({ data }) => {
          await context.write(
            `update ${sessions} set status = 'live', protocol = $2, remote_address = $3, last_position = $4
             where id = $1`,
            [data.sessionId, data.protocol, data.remoteAddress, position],
          );
          await touch("status = 'live'");
        })
        .with({ type: "StreamEndRequested" }, async ({ data }) => {
          await context.write(
            `update ${sessions} set end_requested = true, last_position = $2 where id = $1`,
            [data.sessionId, position],
          );
          await touch("");
        })
        .with({ type: "StreamEnded" }, async ({ data }) => {
          await context.write(
            `update ${sessions} set status = 'ended', ended_at = $2, end_reason = $3, duration_seconds = $4,
               last_position = $5
             where id = $1`,
            [data.sessionId, data.at, data.reason, data.durationSeconds, position],
          );
          await touch("status = 'idle', current_session_id = null");
        })
        .with({ type: "RecordingReady" }, async ({ data }) => {
          await context.write(
            `update ${sessions} set recording_key = $2, recording_duration_seconds = $3, recording_bytes = $4,
               recording_segments = $5, last_position = $6
             where id = $1`,
            [data.sessionId, data.objectKey, data.durationSeconds, data.bytes, data.segments, position],
          );
          await touch("");
        })
        .with({ type: "StreamArchiveJobCreated" }, async ({ data }) => {
          await context.write(
            `update ${sessions} set archive_job_id = $2, last_position = $3 where id = $1`,
            [data.sessionId, data.jobId, position],
          );
          await touch("");
        })
        .with({ type: "StreamDeleted" }, async () => {
          await context.write(`delete from ${sessions} where stream_id = $1`, [id]);
          await context.write(`delete from ${streams} where id = $1`, [id]);
        })
        .exhaustive();
    }
  },
};
