// Projects `error-{id}` streams into `error_events`: a report becomes a row, a resolve marks it.
import { match } from "ts-pattern";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import { parseErrorEvent } from "../../schemas/events/errorEvents.ts";
import { errorStream } from "../../schemas/events/streamNames.ts";
import { type ProjectionContext, ProjectionError, type Projector } from "../projector.ts";
import { errorEventsTable } from "./errorEventsTable.ts";

export const errorsProjector: Projector = {
  name: "errors",
  version: 1,
  tables: [errorEventsTable],
  filter: { streamPrefixes: [errorStream.prefix] },
  async apply(events: readonly RecordedEvent[], context: ProjectionContext) {
    const table = context.table("error_events");
    for (const recorded of events) {
      const parsed = parseErrorEvent(recorded);
      if (parsed._tag === "UnknownEventType") {
        throw new ProjectionError(
          "errors",
          recorded,
          `unknown event type ${parsed.type}`,
          "unknown_event_type",
        );
      }
      if (parsed._tag === "MalformedEvent") {
        throw new ProjectionError(
          "errors",
          recorded,
          `malformed event: ${JSON.stringify(parsed.issues).slice(0, 500)}`,
        );
      }
      const { event, metadata } = parsed;
      if (recorded.streamId !== errorStream.name(event.data.errorId)) {
        throw new ProjectionError(
          "errors",
          recorded,
          `event of error ${event.data.errorId} in another stream`,
        );
      }
      await match(event)
        .with({ type: "ErrorReported" }, ({ data }) =>
          context.write(
            `insert into ${table} (id, source_component, severity, message, stack_trace, context_data,
               created_at, reported_by, last_position)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             on conflict (id) do nothing`,
            [
              data.errorId,
              data.sourceComponent,
              data.severity,
              data.message,
              data.stackTrace ?? null,
              JSON.stringify(data.contextData),
              metadata.occurredAt,
              metadata.actor.userId,
              recorded.position,
            ],
          ),
        )
        .with({ type: "ErrorResolved" }, ({ data }) =>
          context.write(
            `update ${table} set resolved = true, resolved_at = $2, resolved_by = $3, last_position = $4
             where id = $1`,
            [data.errorId, metadata.occurredAt, metadata.actor.userId, recorded.position],
          ),
        )
        .exhaustive();
    }
  },
};
