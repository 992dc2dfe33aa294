// Projects job streams into `jobs`, `job_tasks` and `job_timeline`: per batch one read of the rows the
// batch touches, the fold in memory, one multi-row upsert per table.
import type pg from "pg";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { JobEvent } from "../../schemas/events/jobEvents.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { pgArrayLiteral } from "../arrayLiteral.ts";
import { type ProjectionContext, ProjectionError, type Projector } from "../projector.ts";
import {
  type AttemptRow,
  applyJobEvent,
  indexTasks,
  type JobRow,
  type JobRowSet,
  type TaskRow,
  type TimelineRow,
} from "./jobRows.ts";
import {
  jobCountsTable,
  jobsTable,
  jobTaskAttemptsTable,
  jobTasksTable,
  jobTimelineTable,
} from "./jobsTables.ts";

const JOB_COLUMNS = Object.keys({
  id: 0,
  user_id: 0,
  source_type: 0,
  source_url: 0,
  profile_id: 0,
  output_config: 0,
  status: 0,
  progress_pct: 0,
  tasks_total: 0,
  tasks_completed: 0,
  error_code: 0,
  error_message: 0,
  assigned_to_worker_id: 0,
  source_info: 0,
  outputs: 0,
  stitch: 0,
  retry_of: 0,
  retried_as: 0,
  prefer_gpu: 0,
  deleted: 0,
  created_at: 0,
  updated_at: 0,
  started_at: 0,
  finished_at: 0,
  last_position: 0,
} satisfies Record<keyof JobRow, 0>);

const TASK_COLUMNS = Object.keys({
  id: 0,
  job_id: 0,
  sequence_index: 0,
  start_time_sec: 0,
  end_time_sec: 0,
  kind: 0,
  rendition: 0,
  renditions: 0,
  stitch: 0,
  status: 0,
  attempt_count: 0,
  max_attempts: 0,
  assigned_worker_id: 0,
  progress_pct: 0,
  output_key: 0,
  output_size_bytes: 0,
  checksum: 0,
  not_before: 0,
  last_error_class: 0,
  last_error_message: 0,
  last_stderr_tail: 0,
  created_at: 0,
  updated_at: 0,
  started_at: 0,
  finished_at: 0,
} satisfies Record<keyof TaskRow, 0>);

const ATTEMPT_COLUMNS = Object.keys({
  id: 0,
  job_id: 0,
  task_id: 0,
  attempt: 0,
  status: 0,
  worker_id: 0,
  not_before: 0,
  scheduled_at: 0,
  started_at: 0,
  finished_at: 0,
  exit_class: 0,
  error_message: 0,
  stderr_tail: 0,
  output_size_bytes: 0,
} satisfies Record<keyof AttemptRow, 0>);

async function upsert(context: ProjectionContext, table: string, columns: string[], rows: unknown[]) {
  if (rows.length === 0) return;
  const physical = context.table(table);
  const updates = columns.filter((c) => c !== "id").map((c) => `${c} = excluded.${c}`);
  await context.write(
    `insert into ${physical} (${columns.join(", ")})
     select ${columns.join(", ")} from json_populate_recordset(null::${physical}, $1::json)
     on conflict (id) do update set ${updates.join(", ")}`,
    [JSON.stringify(rows)],
  );
}

/** What `job_counts` counts a job under; a deleted job counts nowhere. */
const countKey = (job: JobRow | undefined): string | undefined =>
  job && !job.deleted ? `${job.status}\u0000${job.source_type}` : undefined;

/** Adds what the batch changed to `job_counts`: -1 where a job left a key, +1 where it arrived. */
async function updateCounts(
  context: ProjectionContext,
  rows: JobRowSet,
  before: Map<string, string | undefined>,
) {
  const deltas = new Map<string, number>();
  const add = (key: string | undefined, n: number) => {
    if (key !== undefined) deltas.set(key, (deltas.get(key) ?? 0) + n);
  };
  for (const id of rows.dirtyJobs) {
    const was = before.get(id);
    const is = countKey(rows.jobs.get(id));
    if (was === is) continue;
    add(was, -1);
    add(is, 1);
  }
  const changed = [...deltas].filter(([, n]) => n !== 0);
  if (changed.length === 0) return;
  const table = context.table("job_counts");
  await context.write(
    `insert into ${table} as c (status, source_type, n)
     select * from unnest($1::text[], $2::text[], $3::int[])
     on conflict (status, source_type) do update set n = c.n + excluded.n`,
    [
      pgArrayLiteral(changed.map(([key]) => key.split("\u0000")[0]!)),
      pgArrayLiteral(changed.map(([key]) => key.split("\u0000")[1]!)),
      pgArrayLiteral(changed.map(([, n]) => n)),
    ],
  );
  if (changed.some(([, n]) => n < 0)) await context.write(`delete from ${table} where n = 0`);
}

/** The rows of a job the projector last wrote, kept for the next batch of the same context. */
interface CarriedJob {
  job: JobRow;
  tasks: TaskRow[];
  attempts: AttemptRow[];
}

/** How many jobs' rows a rebuild keeps between pages by default (a few MiB). */
const CARRIED_JOBS = 5_000;

const carriedJobs = (context: ProjectionContext): Map<string, CarriedJob> => {
  let carried = context.memo.get("jobs") as Map<string, CarriedJob> | undefined;
  if (!carried) {
    carried = new Map();
    context.memo.set("jobs", carried);
  }
  return carried;
};

/** The rows the batch touches: none for a job it opens, carried or read back for the others. */
async function loadRows(context: ProjectionContext, events: readonly RecordedEvent[]): Promise<JobRowSet> {
  const carried = carriedJobs(context);
  const seen = new Set<string>();
  const fromCarry: CarriedJob[] = [];
  const toRead: string[] = [];
  for (const recorded of events) {
    const jobId = jobStream.idOf(recorded.streamId);
    if (seen.has(jobId)) continue;
    seen.add(jobId);
    if (recorded.revision === 0) continue; // opens the stream: no rows yet
    const rows = carried.get(jobId);
    if (rows) fromCarry.push(rows);
    else toRead.push(jobId);
  }
  // to_jsonb: rows come back exactly as they go in (bigints as numbers, timestamps as ISO text).
  const read = <R extends pg.QueryResultRow>(sql: string) =>
    toRead.length === 0 ? Promise.resolve([]) : context.query<R>(sql, [toRead]).then((r) => r.rows);
  const jobs = (
    await read<{ r: JobRow }>(
      `select to_jsonb(j) as r from ${context.table("jobs")} j where id = any($1::uuid[])`,
    )
  ).map(({ r }) => r);
  const tasks = (
    await read<{ r: TaskRow }>(
      `select to_jsonb(t) as r from ${context.table("job_tasks")} t where job_id = any($1::uuid[])`,
    )
  ).map(({ r }) => r);
  const attempts = (
    await read<{ r: AttemptRow }>(
      `select to_jsonb(a) as r from ${context.table("job_task_attempts")} a where job_id = any($1::uuid[])`,
    )
  ).map(({ r }) => r);
  for (const c of fromCarry) {
    jobs.push(c.job);
    tasks.push(...c.tasks);
    attempts.push(...c.attempts);
  }
  return {
    jobs: new Map(jobs.map((r) => [r.id, r])),
    tasks: new Map(tasks.map((r) => [r.id, r])),
    jobTasks: indexTasks(tasks),
    attempts: new Map(attempts.map((r) => [r.id, r])),
    timeline: [],
    dirtyJobs: new Set(),
    dirtyTasks: new Set(),
    dirtyAttempts: new Set(),
  };
}

/** Keeps the rows of the jobs this batch touched for the next batch, most recent last. */
function carry(context: ProjectionContext, rows: JobRowSet, events: readonly RecordedEvent[], limit: number) {
  const carried = carriedJobs(context);
  const attemptsOf = new Map<string, AttemptRow[]>();
  for (const attempt of rows.attempts.values()) {
    const list = attemptsOf.get(attempt.job_id);
    if (list) list.push(attempt);
    else attemptsOf.set(attempt.job_id, [attempt]);
  }
  for (const jobId of new Set(events.map((e) => jobStream.idOf(e.streamId)))) {
    const job = rows.jobs.get(jobId);
    if (!job) continue;
    carried.delete(jobId);
    carried.set(jobId, {
      job,
      tasks: (rows.jobTasks.get(jobId) ?? []).map((id) => rows.tasks.get(id)!),
      attempts: attemptsOf.get(jobId) ?? [],
    });
  }
  for (const jobId of carried.keys()) {
    if (carried.size <= limit) break;
    carried.delete(jobId);
  }
}

/** The jobs projector; `carriedJobs` bounds the rows a rebuild keeps between pages. */
export const createJobsProjector = ({ carriedJobs = CARRIED_JOBS } = {}): Projector => ({
  name: "jobs",
  // 2: attempts are indexed by worker, for the worker page; 3: task kinds, the stitch report,
  // prefer_gpu, job_counts, and the list's indexes end in id, its tie-break; 4: tasks' renditions;
  // 5: the renditions of a task that makes several at once, each stitch task's own report
  version: 5,
  tables: [jobsTable, jobTasksTable, jobTaskAttemptsTable, jobTimelineTable, jobCountsTable],
  filter: { streamPrefixes: [jobStream.prefix] },
  async apply(events: readonly RecordedEvent[], context: ProjectionContext) {
    // Parse and check every event first: in a rebuild the database is still writing the previous
    // page meanwhile, and the reads below wait for those writes.
    const parsedEvents = events.map((recorded) => {
      const parsed = parseStoredEvent(recorded);
      if (parsed._tag === "UnknownEventType") {
        throw new ProjectionError(
          "jobs",
          recorded,
          `unknown event type ${parsed.type}`,
          "unknown_event_type",
        );
      }
      if (parsed._tag === "MalformedEvent") {
        throw new ProjectionError(
          "jobs",
          recorded,
          `malformed event: ${JSON.stringify(parsed.issues).slice(0, 500)}`,
        );
      }
      return parsed;
    });
    const rows = await loadRows(context, events);
    const before = new Map([...rows.jobs].map(([id, job]) => [id, countKey(job)]));
    events.forEach((recorded, i) => {
      const parsed = parsedEvents[i]!;
      try {
        applyJobEvent(rows, parsed.event as JobEvent, parsed.metadata, {
          jobId: jobStream.idOf(recorded.streamId),
          position: recorded.position,
          revision: recorded.revision,
        });
      } catch (error) {
        throw new ProjectionError("jobs", recorded, (error as Error).message);
      }
    });
    carry(context, rows, events, carriedJobs);
    await updateCounts(context, rows, before);
    await upsert(
      context,
      "jobs",
      JOB_COLUMNS,
      [...rows.dirtyJobs].map((id) => rows.jobs.get(id)),
    );
    await upsert(
      context,
      "job_tasks",
      TASK_COLUMNS,
      [...rows.dirtyTasks].map((id) => rows.tasks.get(id)),
    );
    await upsert(
      context,
      "job_task_attempts",
      ATTEMPT_COLUMNS,
      [...rows.dirtyAttempts].map((id) => rows.attempts.get(id)),
    );
    if (rows.timeline.length > 0) {
      // one typed array per column: the cheapest multi-row insert short of COPY for the busiest table
      const column = <K extends keyof TimelineRow>(key: K) =>
        pgArrayLiteral(rows.timeline.map((row) => row[key]));
      await context.appendOnly(
        `insert into ${context.table("job_timeline")}
           (position, job_id, revision, type, occurred_at, actor_user_id, actor_role, task_id, attempt, summary)
         select * from unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::text[], $5::timestamptz[], $6::text[],
                              $7::text[], $8::uuid[], $9::int[], $10::text[])`,
        [
          column("position"),
          column("job_id"),
          column("revision"),
          column("type"),
          column("occurred_at"),
          column("actor_user_id"),
          column("actor_role"),
          column("task_id"),
          column("attempt"),
          column("summary"),
        ],
      );
    }
  },
});

export const jobsProjector = createJobsProjector();
