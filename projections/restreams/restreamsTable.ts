// The restream read model: one row per restream that exists, its document without sealed URLs (masked
// only), its status and run, and each destination's last stored state. Timestamps come from event metadata.
import type { ReadModelTable } from "../projector.ts";

export const restreamsTable: ReadModelTable = {
  name: "restreams",
  createTable: (t) => `
    create table ${t} (
      id text primary key,
      title text not null,
      status text not null,
      input_type text not null,
      schedule_type text not null,
      definition jsonb not null,
      destination_states jsonb not null,
      run_id text,
      started_at timestamptz,
      stopped_at timestamptz,
      stop_reason text,
      last_error text,
      revision int not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      last_position bigint not null
    )`,
  createIndexes: (t, prefix) => `create index ${prefix}_created on ${t} (created_at desc, id);`,
};
