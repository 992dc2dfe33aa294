// The live-stream read model: one row per stream that exists (its settings, the key's hash and hint,
// where it stands) and one per session (how it went, its recording and archive job). Timestamps come
// from event metadata; a deleted stream's rows go.
import type { ReadModelTable } from "../projector.ts";

export const streamsTable: ReadModelTable = {
  name: "streams",
  createTable: (t) => `
    create table ${t} (
      id text primary key,
      title text not null,
      description text not null,
      archive_enabled boolean not null,
      key_hash text not null,
      sealed_key text not null,
      key_hint text not null,
      status text not null,
      current_session_id text,
      session_count int not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      last_activity_at timestamptz not null,
      revision int not null,
      last_position bigint not null
    )`,
  createIndexes: (t, prefix) =>
    `create index ${prefix}_key_hash on ${t} (key_hash);
     create index ${prefix}_activity on ${t} ((status <> 'idle') desc, last_activity_at desc, id);`,
};

export const streamSessionsTable: ReadModelTable = {
  name: "stream_sessions",
  createTable: (t) => `
    create table ${t} (
      id text primary key,
      stream_id text not null,
      status text not null,
      protocol text not null,
      remote_address text not null,
      record boolean not null,
      started_at timestamptz not null,
      ended_at timestamptz,
      end_reason text,
      duration_seconds double precision,
      end_requested boolean not null,
      interruptions int not null,
      recording_key text,
      recording_duration_seconds double precision,
      recording_bytes bigint,
      recording_segments int,
      archive_job_id text,
      last_position bigint not null
    )`,
  createIndexes: (t, prefix) => `create index ${prefix}_stream on ${t} (stream_id, started_at desc);`,
};
