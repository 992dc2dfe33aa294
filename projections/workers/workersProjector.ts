// The `workers` read model: each worker's latest run, with the encoders it proved at start, whether it
// drains and whether it is quarantined.
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import { eventMetadataSchema } from "../../schemas/events/eventMetadata.ts";
import { workerStream } from "../../schemas/events/streamNames.ts";
import { workerEventSchema } from "../../schemas/events/workerEvents.ts";
import {
  type ProjectionContext,
  ProjectionError,
  type Projector,
  type ReadModelTable,
} from "../projector.ts";

const workerEventTypes = new Set<string>(workerEventSchema.options.map((option) => option.shape.type.value));

const workersTable: ReadModelTable = {
  name: "workers",
  createTable: (t) => `
    create table ${t} (
      id text primary key,
      hostname text not null,
      pid int not null,
      capabilities jsonb not null,
      status text not null,
      started_at timestamptz not null,
      stopped_at timestamptz,
      stop_reason text,
      draining boolean not null default false,
      lost_at timestamptz,
      last_heartbeat_at timestamptz,
      quarantined_at timestamptz,
      quarantine_reason text,
      quarantine_exit_class text,
      last_position bigint not null
    )`,
  createIndexes: (t, prefix) => `create index ${prefix}_status on ${t} (status, started_at desc);`,
};

export const workersProjector: Projector = {
  name: "workers",
  version: 3,
  tables: [workersTable],
  filter: { streamPrefixes: [workerStream.prefix] },
  async apply(events: readonly RecordedEvent[], context: ProjectionContext) {
    const table = context.table("workers");
    for (const recorded of events) {
      const parsed = workerEventSchema.safeParse({ type: recorded.type, data: recorded.data });
      const metadata = eventMetadataSchema.safeParse(recorded.metadata);
      if (!parsed.success || !metadata.success) {
        const issues = (parsed.error ?? metadata.error)?.issues.map(
          (i) => `${i.path.join(".")}: ${i.message}`,
        );
        throw new ProjectionError(
          "workers",
          recorded,
          `malformed or unknown worker event: ${issues?.join("; ")}`,
          workerEventTypes.has(recorded.type) ? "refused" : "unknown_event_type",
        );
      }
      const at = metadata.data.occurredAt;
      const event = parsed.data;
      const id = event.data.workerId;
      const set = (assignments: string, values: unknown[]) =>
        context.write(`update ${table} set ${assignments}, last_position = $2 where id = $1`, [
          id,
          recorded.position,
          ...values,
        ]);
      switch (event.type) {
        case "WorkerStarted": {
          const { hostname, pid, capabilities } = event.data;
          await context.write(
            `insert into ${table} (id, hostname, pid, capabilities, status, started_at, last_position)
             values ($1, $2, $3, $4, 'online', $5, $6)
             on conflict (id) do update set hostname = $2, pid = $3, capabilities = $4, status = 'online',
               started_at = $5, stopped_at = null, stop_reason = null, draining = false, lost_at = null,
               last_heartbeat_at = null, quarantined_at = null, quarantine_reason = null,
               quarantine_exit_class = null, last_position = $6`,
            [id, hostname, pid, JSON.stringify(capabilities), at, recorded.position],
          );
          break;
        }
        case "WorkerStopped":
          await set(`status = 'stopped', stopped_at = $3, stop_reason = $4`, [at, event.data.reason ?? null]);
          break;
        case "WorkerDrained":
          await set("draining = true", []);
          break;
        case "WorkerUndrained":
          await set("draining = false", []);
          break;
        case "WorkerLost":
          await set(`status = 'lost', lost_at = $3, last_heartbeat_at = $4`, [
            at,
            event.data.lastHeartbeatAt,
          ]);
          break;
        case "WorkerRemoved":
          await context.write(`delete from ${table} where id = $1`, [id]);
          break;
        case "WorkerQuarantined":
          await set(`quarantined_at = $3, quarantine_reason = $4, quarantine_exit_class = $5`, [
            at,
            event.data.reason,
            event.data.exitClass,
          ]);
          break;
        case "WorkerUnquarantined":
          await set("quarantined_at = null, quarantine_reason = null, quarantine_exit_class = null", []);
          break;
        case "WorkerAttemptFailed":
        case "WorkerRecovered":
          // the count behind a quarantine; the attempts themselves are in job_task_attempts
          break;
      }
    }
  },
};
