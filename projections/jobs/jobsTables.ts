// The job read models: the spec's `jobs` and tasks (`job_tasks`), plus `job_timeline` (a line per event;
// the event itself stays in the log, found by position). No foreign keys between the tables (they are
// swapped on rebuild); every timestamp comes from event metadata.
import type { ReadModelTable } from "../projector.ts";

export const jobsTable: ReadModelTable = {
  name: "jobs",
  createTable: (t) => `
    create table ${t} (
      id uuid primary key,
      user_id text not null,
      source_type text not null,
      source_url text not null,
      profile_id text not null,
      output_config jsonb not null default '{}',
      status text not null,
      progress_pct int not null default 0,
      tasks_total int not null default 0,
      tasks_completed int not null default 0,
      error_code text,
      error_message text,
      assigned_to_worker_id text,
      source_info jsonb,
      outputs jsonb not null default '[]',
      stitch jsonb,
      retry_of uuid,
      retried_as uuid,
      prefer_gpu boolean,
      deleted boolean not null default false,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      started_at timestamptz,
      finished_at timestamptz,
      last_position bigint not null
    )`,
  createIndexes: (t, prefix) => `
    create index ${prefix}_status on ${t} (status, created_at desc, id desc) where not deleted;
    create index ${prefix}_source_type on ${t} (source_type, created_at desc, id desc) where not deleted;
    create index ${prefix}_created on ${t} (created_at desc, id desc) where not deleted;
    create index ${prefix}_user on ${t} (user_id, created_at desc);`,
};

export const jobTasksTable: ReadModelTable = {
  name: "job_tasks",
  createTable: (t) => `
    create table ${t} (
      id uuid primary key,
      job_id uuid not null,
      sequence_index int not null,
      start_time_sec double precision not null,
      end_time_sec double precision not null,
      kind text not null default 'video',
      rendition text,
      renditions jsonb not null default '[]',
      stitch jsonb,
      status text not null,
      attempt_count int not null default 0,
      max_attempts int not null,
      assigned_worker_id text,
      progress_pct int not null default 0,
      output_key text,
      output_size_bytes bigint,
      checksum text,
      not_before timestamptz,
      last_error_class text,
      last_error_message text,
      last_stderr_tail text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      started_at timestamptz,
      finished_at timestamptz
    )`,
  createIndexes: (t, prefix) => `create index ${prefix}_job on ${t} (job_id, sequence_index);`,
};

export const jobTimelineTable: ReadModelTable = {
  name: "job_timeline",
  createTable: (t) => `
    create table ${t} (
      position bigint not null,
      job_id uuid not null,
      revision bigint not null,
      type text not null,
      occurred_at timestamptz not null,
      actor_user_id text,
      actor_role text,
      task_id uuid,
      attempt int,
      summary text not null
    )`,
  // the primary key too: a rebuild loads the rows first, then builds it in one sort
  createIndexes: (t, prefix) => `
    alter table ${t} add constraint ${prefix}_pkey primary key (position);
    create index ${prefix}_job on ${t} (job_id, position);`,
};

export const jobTaskAttemptsTable: ReadModelTable = {
  name: "job_task_attempts",
  createTable: (t) => `
    create table ${t} (
      id text primary key,
      job_id uuid not null,
      task_id uuid not null,
      attempt int not null,
      status text not null,
      worker_id text,
      not_before timestamptz,
      scheduled_at timestamptz not null,
      started_at timestamptz,
      finished_at timestamptz,
      exit_class text,
      error_message text,
      stderr_tail text,
      output_size_bytes bigint
    )`,
  createIndexes: (t, prefix) => `
    create index ${prefix}_job on ${t} (job_id, task_id, attempt);
    create index ${prefix}_worker on ${t} (worker_id, finished_at desc);`,
};

/**
 * How many jobs (not deleted) there are of each status and source type: the list's total without
 * counting every row. Rows whose count falls to 0 are removed, so a rebuild equals the live table.
 */
export const jobCountsTable: ReadModelTable = {
  name: "job_counts",
  createTable: (t) => `
    create table ${t} (
      status text not null,
      source_type text not null,
      n int not null,
      primary key (status, source_type)
    )`,
  createIndexes: () => "select 1",
};
