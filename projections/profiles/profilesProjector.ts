// Projects `profile-{id}` streams into `profiles`: a create writes the row, an edit rewrites its
// document, a delete removes it (the stream keeps the history).
import { match } from "ts-pattern";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import { parseProfileEvent } from "../../schemas/events/profileEvents.ts";
import { profileStream } from "../../schemas/events/streamNames.ts";
import type { ProfileSpec } from "../../schemas/profiles/profileSpec.ts";
import { type ProjectionContext, ProjectionError, type Projector } from "../projector.ts";
import { profilesTable } from "./profilesTable.ts";

const columnsOf = (spec: ProfileSpec) => [
  spec.name,
  spec.description,
  spec.video.codec,
  spec.video.bitrateKbps,
  spec.video.maxWidth,
  spec.video.maxHeight,
  spec.container,
  spec.ladder.length,
  JSON.stringify(spec),
];

export const profilesProjector: Projector = {
  name: "profiles",
  version: 1,
  tables: [profilesTable],
  filter: { streamPrefixes: [profileStream.prefix] },
  async apply(events: readonly RecordedEvent[], context: ProjectionContext) {
    const table = context.table("profiles");
    for (const recorded of events) {
      const parsed = parseProfileEvent(recorded);
      if (parsed._tag === "UnknownEventType") {
        throw new ProjectionError(
          "profiles",
          recorded,
          `unknown event type ${parsed.type}`,
          "unknown_event_type",
        );
      }
      if (parsed._tag === "MalformedEvent") {
        throw new ProjectionError(
          "profiles",
          recorded,
          `malformed event: ${JSON.stringify(parsed.issues).slice(0, 500)}`,
        );
      }
      const { event, metadata } = parsed;
      if (recorded.streamId !== profileStream.name(event.data.profileId)) {
        throw new ProjectionError(
          "profiles",
          recorded,
          `event of profile ${event.data.profileId} in another stream`,
        );
      }
      const at = [recorded.revision, metadata.occurredAt, recorded.position];
      await match(event)
        .with({ type: "ProfileCreated" }, ({ data }) =>
          context.write(
            `insert into ${table} (id, name, description, codec, bitrate_kbps, max_width, max_height,
               container, tier_count, spec, built_in, revision, created_at, updated_at, last_position)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)
             on conflict (id) do update set name = $2, description = $3, codec = $4, bitrate_kbps = $5,
               max_width = $6, max_height = $7, container = $8, tier_count = $9, spec = $10, built_in = $11,
               revision = $12, created_at = $13, updated_at = $13, last_position = $14`,
            [data.profileId, ...columnsOf(data.spec), data.builtIn === true, ...at],
          ),
        )
        .with({ type: "ProfileUpdated" }, ({ data }) =>
          context.write(
            `update ${table} set name = $2, description = $3, codec = $4, bitrate_kbps = $5, max_width = $6,
               max_height = $7, container = $8, tier_count = $9, spec = $10, revision = $11, updated_at = $12,
               last_position = $13
             where id = $1`,
            [data.profileId, ...columnsOf(data.spec), ...at],
          ),
        )
        .with({ type: "ProfileDeleted" }, ({ data }) =>
          context.write(`delete from ${table} where id = $1`, [data.profileId]),
        )
        .exhaustive();
    }
  },
};
