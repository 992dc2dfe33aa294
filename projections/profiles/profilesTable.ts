// The encoding-profile read model: one row per profile that exists, with the columns the list shows and
// the whole stored document. A deleted profile's row goes; timestamps come from event metadata.
import type { ReadModelTable } from "../projector.ts";

export const profilesTable: ReadModelTable = {
  name: "profiles",
  createTable: (t) => `
    create table ${t} (
      id text primary key,
      name text not null,
      description text not null,
      codec text not null,
      bitrate_kbps int not null,
      max_width int not null,
      max_height int not null,
      container text not null,
      tier_count int not null,
      built_in boolean not null,
      spec jsonb not null,
      revision int not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      last_position bigint not null
    )`,
  createIndexes: (t, prefix) => `create index ${prefix}_name on ${t} (name, id);`,
};
