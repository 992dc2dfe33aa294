// GET /v1/restreams (the list) and GET /v1/restreams/{id} (one restream with each destination's state),
// from the `restreams` read model, with bitrate, uptime and skips merged from the running process's figures.
import { Hono } from "hono";
import type pg from "pg";
import type { RestreamFigures } from "../../domain/ports/restreamFigures.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { UUID_PATTERN } from "../../infra/http/jobIdParam.ts";
import { parseWith } from "../../infra/http/parseRequest.ts";
import { awaitMinPosition, type WaitForPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import { listRestreamsQuerySchema } from "../../schemas/api/restreamRequests.ts";
import type {
  ListRestreamsResponse,
  RestreamDestinationView,
  RestreamDetail,
  RestreamStatus,
  RestreamSummary,
} from "../../schemas/api/restreamResponses.ts";
import type {
  DestinationState,
  RestreamInput,
  RestreamSchedule,
} from "../../schemas/events/restreamEvents.ts";

export interface RestreamQueryRoutesOptions {
  pool: pg.Pool;
  schema: string;
  waitForPosition: WaitForPosition;
  figures: RestreamFigures;
  now?: () => number;
}

interface PublicDefinition {
  title: string;
  description: string;
  input: RestreamInput;
  destinations: {
    destinationId: string;
    platform: RestreamDestinationView["platform"];
    url: string;
    enabled: boolean;
    transcode?: { videoBitrateKbps: number; audioBitrateKbps: number };
  }[];
  schedule: RestreamSchedule;
  loop: boolean;
  simulateLive: boolean;
}

interface Row {
  id: string;
  status: RestreamStatus;
  definition: PublicDefinition;
  destination_states: Record<
    string,
    { state: DestinationState; error_count: number; last_error: string | null }
  >;
  run_id: string | null;
  started_at: string | null;
  stopped_at: string | null;
  stop_reason: RestreamDetail["stop_reason"];
  last_error: string | null;
  revision: number;
  created_at: string;
  updated_at: string;
}

const iso = (column: string) => `to_jsonb(${column}) #>> '{}' as ${column}`;
const columns = `id, status, definition, destination_states, run_id, ${iso("started_at")}, ${iso("stopped_at")},
  stop_reason, last_error, revision, ${iso("created_at")}, ${iso("updated_at")}`;

function scheduleConfig(schedule: RestreamSchedule): RestreamDetail["schedule_config"] {
  if (schedule.type === "scheduled") return { start_at: schedule.startAt };
  if (schedule.type === "recurring") {
    return {
      cron: schedule.cron,
      ...(schedule.timezone === undefined ? {} : { timezone: schedule.timezone }),
      ...(schedule.durationSeconds === undefined ? {} : { duration_seconds: schedule.durationSeconds }),
    };
  }
  return {};
}

export function restreamQueryRoutes(options: RestreamQueryRoutesOptions) {
  const table = `"${options.schema}".restreams`;
  const now = options.now ?? Date.now;

  function detailOf(row: Row): RestreamDetail {
    const { definition } = row;
    const figures = options.figures.figuresOf(row.id);
    const current =
      figures !== undefined && figures.runId === row.run_id && row.status === "streaming"
        ? figures
        : undefined;
    const seconds = (since: number | null | undefined) =>
      since === null || since === undefined ? null : Math.max(0, Math.round((now() - since) / 1000));
    const destinations = definition.destinations.map((destination): RestreamDestinationView => {
      const stored = row.destination_states[destination.destinationId];
      const live = current?.destinations[destination.destinationId];
      const status = stored?.state ?? "idle";
      return {
        id: destination.destinationId,
        platform: destination.platform,
        url: destination.url,
        enabled: destination.enabled,
        transcode:
          destination.transcode === undefined
            ? null
            : {
                video_bitrate_kbps: destination.transcode.videoBitrateKbps,
                audio_bitrate_kbps: destination.transcode.audioBitrateKbps,
              },
        status,
        bitrate_kbps: status === "live" && live !== undefined ? live.bitrateKbps : null,
        uptime_seconds: status === "live" ? seconds(live?.liveSince) : null,
        skips: live?.skips ?? null,
        error_count: stored?.error_count ?? 0,
        last_error: stored?.last_error ?? null,
      };
    });
    const { input } = definition;
    return {
      id: row.id,
      title: definition.title,
      description: definition.description,
      input_type: input.type,
      stream_id: input.type === "rtmp" ? input.streamId : null,
      input_url: input.type === "file" ? input.url : null,
      job_id: input.type === "vod_job" ? input.jobId : null,
      output_key: input.type === "vod_job" ? (input.outputKey ?? null) : null,
      output_destinations: destinations,
      schedule_type: definition.schedule.type,
      schedule_config: scheduleConfig(definition.schedule),
      loop_enabled: definition.loop,
      simulate_live: definition.simulateLive,
      status: row.status,
      run_id: row.run_id,
      started_at: row.started_at,
      stopped_at: row.stopped_at,
      stop_reason: row.stop_reason,
      last_error: row.last_error,
      uptime_seconds:
        row.status === "streaming" ? seconds(current?.startedAt ?? Date.parse(row.started_at ?? "")) : null,
      revision: row.revision,
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }

  return new Hono<HttpEnv>()
    .get("/v1/restreams", requireRole("viewer"), async (c) => {
      const query = parseWith(listRestreamsQuerySchema, c.req.query());
      await awaitMinPosition(c, options.waitForPosition);
      const { rows } = await options.pool.query<Row>(
        `select ${columns} from ${table} where ($1::text is null or status = $1) order by created_at desc, id`,
        [query.status ?? null],
      );
      const restreams = rows.map((row): RestreamSummary => {
        const detail = detailOf(row);
        return {
          id: row.id,
          title: detail.title,
          status: row.status,
          input_type: detail.input_type,
          schedule_type: detail.schedule_type,
          destination_count: detail.output_destinations.length,
          live_destinations: detail.output_destinations.filter((d) => d.status === "live").length,
          started_at: row.started_at,
          created_at: row.created_at,
          updated_at: row.updated_at,
        };
      });
      return c.json({ restreams } satisfies ListRestreamsResponse);
    })
    .get("/v1/restreams/:id", requireRole("viewer"), async (c) => {
      await awaitMinPosition(c, options.waitForPosition);
      const id = c.req.param("id");
      const notFound = new ApiError("WE-STR-010", `No restream ${JSON.stringify(id.slice(0, 100))}`);
      if (!UUID_PATTERN.test(id)) throw notFound;
      const { rows } = await options.pool.query<Row>(`select ${columns} from ${table} where id = $1`, [id]);
      const row = rows[0];
      if (row === undefined) throw notFound;
      return c.json(detailOf(row) satisfies RestreamDetail);
    });
}
