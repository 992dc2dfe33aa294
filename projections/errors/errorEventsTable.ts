// The spec's `error_events` read model: every reported error, newest first, with whether it is resolved.
// Timestamps come from event metadata.
import type { ReadModelTable } from "../projector.ts";

export const errorEventsTable: ReadModelTable = {
  name: "error_events",
  createTable: (t) => `
    create table ${t} (
      id uuid primary key,
      source_component text not null,
      severity text not null,
      message text not null,
      stack_trace text,
      context_data jsonb not null,
      created_at timestamptz not null,
      reported_by text not null,
      resolved boolean not null default false,
      resolved_at timestamptz,
      resolved_by text,
      last_position bigint not null
    )`,
  // the list is read newest first, filtered by one of these at a time
  createIndexes: (t, prefix) => `
    create index ${prefix}_created on ${t} (created_at desc, id desc);
    create index ${prefix}_severity on ${t} (severity, created_at desc);
    create index ${prefix}_source on ${t} (source_component, created_at desc);
    create index ${prefix}_open on ${t} (created_at desc) where not resolved;`,
};
