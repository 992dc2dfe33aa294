// GET /v1/streams (live first, then past by last activity), GET /v1/streams/{id} (settings, masked
// key, ingest URLs, sessions, the live preview) and GET /v1/streams/{id}/stats (the latest figures from
// the bus over the read model's status, a health verdict and the sampled series).
import { Hono } from "hono";
import type pg from "pg";
import type { IngestUrls } from "../../domain/ports/ingestUrls.ts";
import { streamHealth } from "../../domain/stream/streamHealth.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { UUID_PATTERN } from "../../infra/http/jobIdParam.ts";
import { awaitMinPosition, type WaitForPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import type {
  ListStreamsResponse,
  StreamDetail,
  StreamSession,
  StreamStatsResponse,
  StreamStatus,
  StreamSummary,
} from "../../schemas/api/streamResponses.ts";
import type { TelemetrySeries } from "./telemetrySeries.ts";

export interface StreamQueryRoutesOptions {
  pool: pg.Pool;
  schema: string;
  waitForPosition: WaitForPosition;
  telemetry: TelemetrySeries;
  ingestUrls: IngestUrls;
  /** A signed link to a session's live preview playlist; null when there is none to give. */
  previewLink?: (streamId: string, sessionId: string) => string | null;
}

/** Where the key goes in the ingest URLs of a stream whose key is not shown. */
export const STREAM_KEY_PLACEHOLDER = "{stream_key}";

const iso = (column: string) => `to_jsonb(${column}) #>> '{}'`;

const summaryColumns = `id, title, description, status, archive_enabled, '••••' || key_hint as key_hint,
  current_session_id, session_count, ${iso("created_at")} as created_at,
  ${iso("last_activity_at")} as last_activity_at, ${iso("updated_at")} as updated_at`;

type SummaryRow = Omit<StreamSummary, "started_at" | "viewers"> & { updated_at: string };

interface SessionRow {
  id: string;
  status: StreamSession["status"];
  protocol: StreamSession["protocol"];
  remote_address: string;
  record: boolean;
  started_at: string;
  ended_at: string | null;
  end_reason: string | null;
  duration_seconds: number | null;
  end_requested: boolean;
  interruptions: number;
  recording_key: string | null;
  recording_duration_seconds: number | null;
  recording_bytes: string | null;
  recording_segments: number | null;
  archive_job_id: string | null;
}

const sessionOf = (row: SessionRow): StreamSession => ({
  id: row.id,
  status: row.status,
  protocol: row.protocol,
  remote_address: row.remote_address,
  record: row.record,
  started_at: row.started_at,
  ended_at: row.ended_at,
  end_reason: row.end_reason,
  duration_seconds: row.duration_seconds,
  end_requested: row.end_requested,
  interruptions: row.interruptions,
  recording:
    row.recording_key === null
      ? null
      : {
          object_key: row.recording_key,
          duration_seconds: row.recording_duration_seconds ?? 0,
          bytes: Number(row.recording_bytes ?? 0),
          segments: row.recording_segments ?? 0,
        },
  archive_job_id: row.archive_job_id,
});

function streamIdOf(id: string): string {
  if (!UUID_PATTERN.test(id))
    throw new ApiError("WE-STR-002", `No stream ${JSON.stringify(id.slice(0, 100))}`);
  return id.toLowerCase();
}

export function streamQueryRoutes(options: StreamQueryRoutesOptions) {
  const streams = `"${options.schema}".streams`;
  const sessions = `"${options.schema}".stream_sessions`;
  const { telemetry } = options;

  const summaryOf = async (row: SummaryRow): Promise<StreamSummary> => {
    const { updated_at: _, ...summary } = row;
    let startedAt: string | null = null;
    if (row.current_session_id !== null) {
      const { rows } = await options.pool.query<{ started_at: string }>(
        `select ${iso("started_at")} as started_at from ${sessions} where id = $1`,
        [row.current_session_id],
      );
      startedAt = rows[0]?.started_at ?? null;
    }
    const latest = row.status === "idle" ? undefined : telemetry.latest(row.id);
    return { ...summary, started_at: startedAt, viewers: latest?.viewers ?? null };
  };

  const findStream = async (id: string) => {
    const { rows } = await options.pool.query<SummaryRow>(
      `select ${summaryColumns} from ${streams} where id = $1`,
      [id],
    );
    const row = rows[0];
    if (row === undefined) throw new ApiError("WE-STR-002", `No stream ${id}`);
    return row;
  };

  return new Hono<HttpEnv>()
    .get("/v1/streams", requireRole("viewer"), async (c) => {
      await awaitMinPosition(c, options.waitForPosition);
      const { rows } = await options.pool.query<SummaryRow>(
        `select ${summaryColumns} from ${streams} s
         order by (s.status <> 'idle') desc, s.last_activity_at desc, s.id limit 1000`,
      );
      const list = await Promise.all(rows.map(summaryOf));
      return c.json({ streams: list } satisfies ListStreamsResponse);
    })
    .get("/v1/streams/:id", requireRole("viewer"), async (c) => {
      await awaitMinPosition(c, options.waitForPosition);
      const id = streamIdOf(c.req.param("id"));
      const row = await findStream(id);
      const { rows } = await options.pool.query<SessionRow>(
        `select id, status, protocol, remote_address, record, ${iso("started_at")} as started_at,
           ${iso("ended_at")} as ended_at, end_reason, duration_seconds, end_requested, interruptions, recording_key,
           recording_duration_seconds, recording_bytes, recording_segments, archive_job_id
         from ${sessions} where stream_id = $1 order by started_at desc, id limit 200`,
        [id],
      );
      const all = rows.map(sessionOf);
      const current = all.find((session) => session.id === row.current_session_id) ?? null;
      const urls = options.ingestUrls(STREAM_KEY_PLACEHOLDER);
      return c.json({
        ...(await summaryOf(row)),
        ingest_url: urls.rtmp,
        ingest_urls: { rtmp: urls.rtmp, srt: urls.srt },
        current_session: current,
        sessions: all.filter((session) => session.id !== row.current_session_id),
        preview_url: current === null ? null : (options.previewLink?.(id, current.id) ?? null),
        updated_at: row.updated_at,
      } satisfies StreamDetail);
    })
    .get("/v1/streams/:id/stats", requireRole("viewer"), async (c) => {
      await awaitMinPosition(c, options.waitForPosition);
      const id = streamIdOf(c.req.param("id"));
      const row = await findStream(id);
      const status = row.status as StreamStatus;
      const open = row.current_session_id;
      // figures of a session that has ended are not this stream's now
      const latest = open === null ? undefined : telemetry.latest(id);
      const tick = latest?.sessionId === open ? latest : undefined;
      const samples = tick === undefined ? [] : telemetry.samples(id);
      return c.json({
        status,
        viewers: tick?.viewers ?? 0,
        bitrate_kbps: tick === undefined ? 0 : tick.videoBitrateKbps + tick.audioBitrateKbps,
        fps: tick?.fps ?? 0,
        video_bitrate_kbps: tick?.videoBitrateKbps ?? 0,
        audio_bitrate_kbps: tick?.audioBitrateKbps ?? 0,
        keyframe_interval_seconds: tick?.keyframeIntervalSeconds ?? null,
        dropped_frames: tick?.droppedFrames ?? 0,
        uptime_seconds: tick?.uptimeSeconds ?? 0,
        width: tick?.width ?? null,
        height: tick?.height ?? null,
        video_codec: tick?.videoCodec ?? null,
        audio_codec: tick?.audioCodec ?? null,
        health: streamHealth(tick, tick === undefined ? undefined : telemetry.before(id, 5), status),
        sampled_at: tick?.at ?? null,
        series: samples.map((sample) => ({
          at: sample.at,
          video_bitrate_kbps: sample.videoBitrateKbps,
          audio_bitrate_kbps: sample.audioBitrateKbps,
          fps: sample.fps,
          dropped_frames: sample.droppedFrames,
          viewers: sample.viewers,
        })),
      } satisfies StreamStatsResponse);
    });
}
