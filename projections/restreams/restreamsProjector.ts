// Projects `restream-{id}` streams into `restreams`. Sealed destination URLs never reach the read model:
// only their masked form. A destination's state is reset at each run's start.
import { match } from "ts-pattern";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import { parseRestreamEvent, type RestreamDefinition } from "../../schemas/events/restreamEvents.ts";
import { restreamStream } from "../../schemas/events/streamNames.ts";
import { type ProjectionContext, ProjectionError, type Projector } from "../projector.ts";
import { restreamsTable } from "./restreamsTable.ts";

/** The document as the read model keeps it: each destination's URL masked, the sealed form dropped. */
const publicDefinition = (definition: RestreamDefinition) => ({
  ...definition,
  destinations: definition.destinations.map(({ url, ...destination }) => ({
    ...destination,
    url: url.masked,
  })),
});

export const restreamsProjector: Projector = {
  name: "restreams",
  version: 1,
  tables: [restreamsTable],
  filter: { streamPrefixes: [restreamStream.prefix] },
  async apply(events: readonly RecordedEvent[], context: ProjectionContext) {
    const table = context.table("restreams");
    for (const recorded of events) {
      const parsed = parseRestreamEvent(recorded);
      if (parsed._tag === "UnknownEventType") {
        throw new ProjectionError(
          "restreams",
          recorded,
          `unknown event type ${parsed.type}`,
          "unknown_event_type",
        );
      }
      if (parsed._tag === "MalformedEvent") {
        throw new ProjectionError(
          "restreams",
          recorded,
          `malformed event: ${JSON.stringify(parsed.issues).slice(0, 500)}`,
        );
      }
      const { event, metadata } = parsed;
      if (recorded.streamId !== restreamStream.name(event.data.restreamId)) {
        throw new ProjectionError(
          "restreams",
          recorded,
          `event of restream ${event.data.restreamId} in another stream`,
        );
      }
      const id = event.data.restreamId;
      const at = [recorded.revision, metadata.occurredAt, recorded.position];
      await match(event)
        .with({ type: "RestreamCreated" }, ({ data: { restreamId: _, ...definition } }) =>
          context.write(
            `insert into ${table} (id, title, status, input_type, schedule_type, definition, destination_states,
               revision, created_at, updated_at, last_position)
             values ($1, $2, 'stopped', $3, $4, $5, '{}', $6, $7, $7, $8)
             on conflict (id) do update set title = $2, status = 'stopped', input_type = $3, schedule_type = $4,
               definition = $5, destination_states = '{}', run_id = null, started_at = null, stopped_at = null,
               stop_reason = null, last_error = null, revision = $6, created_at = $7, updated_at = $7,
               last_position = $8`,
            [
              id,
              definition.title,
              definition.input.type,
              definition.schedule.type,
              JSON.stringify(publicDefinition(definition)),
              ...at,
            ],
          ),
        )
        .with({ type: "RestreamUpdated" }, ({ data: { restreamId: _, ...definition } }) =>
          context.write(
            `update ${table} set title = $2, input_type = $3, schedule_type = $4, definition = $5, revision = $6,
               updated_at = $7, last_position = $8
             where id = $1`,
            [
              id,
              definition.title,
              definition.input.type,
              definition.schedule.type,
              JSON.stringify(publicDefinition(definition)),
              ...at,
            ],
          ),
        )
        .with({ type: "RestreamDeleted" }, () => context.write(`delete from ${table} where id = $1`, [id]))
        .with({ type: "RestreamStarted" }, ({ data }) =>
          context.write(
            `update ${table} set status = 'streaming', run_id = $2, started_at = $4, stopped_at = null,
               stop_reason = null, last_error = null, destination_states = '{}', revision = $3, updated_at = $4,
               last_position = $5
             where id = $1`,
            [id, data.runId, ...at],
          ),
        )
        .with({ type: "RestreamStopped" }, ({ data }) =>
          context.write(
            `update ${table} set status = $3, stopped_at = $6, stop_reason = $4, last_error = $5,
               destination_states = (select coalesce(jsonb_object_agg(key,
                 jsonb_set(value, '{state}', '"idle"')), '{}') from jsonb_each(destination_states)),
               revision = $7, updated_at = $6, last_position = $8
             where id = $1 and run_id = $2`,
            [
              id,
              data.runId,
              data.reason === "failed" ? "error" : "stopped",
              data.reason,
              data.error ?? null,
              metadata.occurredAt,
              recorded.revision,
              recorded.position,
            ],
          ),
        )
        .with({ type: "RestreamDestinationStateChanged" }, ({ data }) =>
          context.write(
            `update ${table} set destination_states = jsonb_set(destination_states, array[$3::text], $4::jsonb),
               revision = $5, updated_at = $6, last_position = $7
             where id = $1 and run_id = $2`,
            [
              id,
              data.runId,
              data.destinationId,
              JSON.stringify({
                state: data.state,
                error_count: data.errorCount,
                last_error: data.lastError ?? null,
              }),
              ...at,
            ],
          ),
        )
        .exhaustive();
    }
  },
};
