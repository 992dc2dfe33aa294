// The live studio: a stream's state and uptime, its preview, figures and charts that move each second
// (the stats answer, moved on by the feed's telemetry frames), its health, ingest settings, the restreams
// fed by it and its sessions, with end, rotate-key, archive and delete.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, KeyRound, Plus, Settings, Square, Trash2 } from "lucide-react";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { ApiFailureAlert } from "../components/ApiFailureAlert.tsx";
import { Figure } from "../components/Figure.tsx";
import { HealthVerdict } from "../components/HealthVerdict.tsx";
import { IngestSettings, type RevealedKey } from "../components/IngestSettings.tsx";
import { LiveBadge } from "../components/LiveBadge.tsx";
import { LivePreview } from "../components/LivePreview.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { RestreamDestinations } from "../components/RestreamDestinations.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { StreamSettingsForm } from "../components/StreamSettingsForm.tsx";
import { TelemetryCharts } from "../components/TelemetryCharts.tsx";
import { Button } from "../components/ui/button.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "../components/ui/card.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type {
  RestreamDetail,
  RestreamList,
  StreamDetail,
  StreamKeyResponse,
  StreamStats,
} from "../lib/apiTypes.ts";
import { atFeedPosition } from "../lib/feedPosition.ts";
import { formatBitrate } from "../lib/formatBitrate.ts";
import { formatBytes } from "../lib/formatBytes.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { useNow } from "../lib/useNow.ts";
import { can, useSession } from "../lib/useSession.ts";

export default function StreamStudio() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const path = useLocalePath();
  const navigate = useNavigate();
  const client = useQueryClient();
  const session = useSession();
  const operator = can(session.data, "operator");
  const archiveId = useId();
  const [revealed, setRevealed] = useState<RevealedKey | null>(null);
  const [editing, setEditing] = useState(false);
  const stream = useQuery({
    queryKey: ["stream", id],
    queryFn: () => apiFetch<StreamDetail>(atFeedPosition(`/v1/streams/${id}`)),
    // the feed's stream events refetch it at once; the poll covers a feed that is reconnecting
    refetchInterval: 5_000,
  });
  const onAir = stream.data !== undefined && stream.data.status !== "idle";
  // the feed's telemetry frames move these on between polls; the poll catches up on a lost frame
  const stats = useQuery({
    queryKey: ["stream", id, "stats"],
    queryFn: () => apiFetch<StreamStats>(`/v1/streams/${id}/stats`),
    enabled: stream.data !== undefined,
    refetchInterval: onAir ? 1_000 : 15_000,
  });
  const now = useNow(onAir);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["stream", id] });
    void client.invalidateQueries({ queryKey: ["streams"] });
  };
  const end = useMutation({
    mutationFn: () => apiFetch(`/v1/streams/${id}/end`, { method: "POST" }),
    onSuccess: refresh,
  });
  const rotate = useMutation({
    mutationFn: () => apiFetch<StreamKeyResponse>(`/v1/streams/${id}/rotate-key`, { method: "POST" }),
    onSuccess: (answer) => {
      setRevealed(answer);
      refresh();
    },
  });
  const archive = useMutation({
    mutationFn: (enabled: boolean) =>
      apiFetch(`/v1/streams/${id}`, { method: "PUT", body: { archive_enabled: enabled } }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => apiFetch(`/v1/streams/${id}`, { method: "DELETE" }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["streams"] });
      navigate(path("/streams"));
    },
  });
  const reveal = async () => {
    const answer = await apiFetch<StreamKeyResponse>(`/v1/streams/${id}/key`);
    setRevealed(answer);
    return answer;
  };

  if (stream.isPending) return <p className="text-sm text-muted-foreground">{t("common.loading")}</p>;
  if (!stream.data) {
    return (
      <>
        <p role="alert" className="mb-3">
          {t("streams.notFound")}
        </p>
        <ApiFailureAlert error={stream.error} />
      </>
    );
  }
  const view = stream.data;
  const figures = stats.data;
  const uptime = view.started_at ? (now - Date.parse(view.started_at)) / 1000 : null;

  return (
    <>
      <Link
        to={path("/streams")}
        className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground"
      >
        <ArrowLeft aria-hidden className="size-4" />
        {t("streams.title")}
      </Link>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-3">
            <span>{view.title}</span>
            <LiveBadge status={view.status} />
            {uptime !== null && (
              <span className="text-sm font-normal text-muted-foreground tabular-nums" data-testid="uptime">
                {t("live.onlineFor", { duration: formatDuration(uptime) })}
              </span>
            )}
          </span>
        }
        actions={
          operator && (
            <>
              <Button variant="outline" onClick={() => setEditing(!editing)} aria-expanded={editing}>
                <Settings aria-hidden />
                {t("live.settings")}
              </Button>
              {onAir && (
                <Button
                  variant="destructive"
                  onClick={() => window.confirm(t("live.confirmEnd")) && end.mutate()}
                  disabled={end.isPending || view.current_session?.end_requested === true}
                >
                  <Square aria-hidden />
                  {t("live.end")}
                </Button>
              )}
              {!onAir && (
                <Button
                  variant="outline"
                  onClick={() => window.confirm(t("live.confirmRotate")) && rotate.mutate()}
                  disabled={rotate.isPending}
                >
                  <KeyRound aria-hidden />
                  {t("live.rotateKey")}
                </Button>
              )}
              {!onAir && (
                <Button
                  variant="ghost"
                  onClick={() => window.confirm(t("live.confirmDelete")) && remove.mutate()}
                  disabled={remove.isPending}
                  aria-label={t("live.delete")}
                  title={t("live.delete")}
                >
                  <Trash2 aria-hidden className="text-destructive" />
                </Button>
              )}
            </>
          )
        }
      />
      <div className="mb-4 space-y-2">
        <ApiFailureAlert error={end.error ?? rotate.error ?? archive.error ?? remove.error} />
      </div>
      {editing && (
        <Card className="mb-6 max-w-2xl">
          <CardContent className="pt-5">
            <StreamSettingsForm stream={view} onDone={() => setEditing(false)} />
          </CardContent>
        </Card>
      )}
      {!editing && view.description && (
        <p className="mb-4 max-w-3xl text-sm text-muted-foreground">{view.description}</p>
      )}
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>{t("live.preview")}</CardTitle>
          </CardHeader>
          <CardContent>
            <LivePreview url={onAir ? view.preview_url : null} live={onAir} />
          </CardContent>
        </Card>
        <Card data-testid="live-figures">
          <CardHeader>
            <CardTitle>{t("live.telemetry")}</CardTitle>
          </CardHeader>
          <CardContent className="space-y-4">
            {figures && <HealthVerdict health={figures.health} />}
            <dl className="grid grid-cols-2 gap-4 text-sm">
              <Figure
                label={t("live.videoBitrate")}
                value={figures && onAir ? formatBitrate(figures.video_bitrate_kbps) : "—"}
                testId="video-bitrate"
              />
              <Figure
                label={t("live.audioBitrate")}
                value={figures && onAir ? formatBitrate(figures.audio_bitrate_kbps) : "—"}
              />
              <Figure
                label={t("live.fps")}
                value={figures && onAir ? figures.fps.toFixed(2) : "—"}
                testId="fps"
              />
              <Figure
                label={t("live.keyframeInterval")}
                value={
                  figures?.keyframe_interval_seconds != null
                    ? `${figures.keyframe_interval_seconds.toFixed(1)} s`
                    : "—"
                }
              />
              <Figure
                label={t("live.droppedFrames")}
                value={figures && onAir ? figures.dropped_frames : "—"}
              />
              <Figure
                label={t("streams.viewers")}
                value={figures && onAir ? figures.viewers : "—"}
                testId="viewers"
              />
              <Figure
                label={t("live.resolution")}
                value={figures?.width && figures.height ? `${figures.width}×${figures.height}` : "—"}
              />
              <Figure
                label={t("live.codecs")}
                value={[figures?.video_codec, figures?.audio_codec].filter(Boolean).join(" / ") || "—"}
              />
            </dl>
          </CardContent>
        </Card>
        <div className="lg:col-span-3">
          <TelemetryCharts series={onAir ? (figures?.series ?? []) : []} />
        </div>
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>{t("live.ingest")}</CardTitle>
            {onAir && <span className="text-xs text-muted-foreground">{t("live.readOnlyWhileLive")}</span>}
          </CardHeader>
          <CardContent>
            <IngestSettings
              urls={view.ingest_urls}
              revealed={revealed}
              keyHint={view.key_hint}
              {...(operator ? { reveal } : {})}
            />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>{t("live.recording")}</CardTitle>
          </CardHeader>
          <CardContent className="space-y-3 text-sm">
            <div className="flex items-start gap-2">
              <input
                id={archiveId}
                type="checkbox"
                className="mt-1"
                checked={view.archive_enabled}
                disabled={!operator || onAir || archive.isPending}
                onChange={(event) => archive.mutate(event.target.checked)}
              />
              <div>
                <label htmlFor={archiveId} className="font-medium">
                  {t("streams.archiveEnabled")}
                </label>
                <p className="text-xs text-muted-foreground">
                  {onAir ? t("live.archiveLocked") : t("streams.archiveHint")}
                </p>
              </div>
            </div>
            {view.current_session && (
              <p className="text-xs text-muted-foreground">
                {view.current_session.record ? t("live.recordingNow") : t("live.notRecording")}
              </p>
            )}
          </CardContent>
        </Card>
        <StreamRestreams streamId={view.id} operator={operator} />
        <Sessions view={view} now={now} />
      </div>
    </>
  );
}

/** The restreams whose input is this stream, each with its destinations' states. */
function StreamRestreams({ streamId, operator }: { streamId: string; operator: boolean }) {
  const { t } = useTranslation();
  const path = useLocalePath();
  const restreams = useQuery({
    queryKey: ["restreams", "of-stream", streamId],
    queryFn: async () => {
      const { restreams } = await apiFetch<RestreamList>("/v1/restreams");
      const fed = restreams.filter((restream) => restream.input_type === "rtmp");
      const details = await Promise.all(
        fed.map((restream) => apiFetch<RestreamDetail>(`/v1/restreams/${restream.id}`)),
      );
      return details.filter((detail) => detail.stream_id === streamId);
    },
    refetchInterval: 5_000,
  });
  return (
    <Card className="lg:col-span-3" data-testid="stream-restreams">
      <CardHeader>
        <CardTitle>{t("live.restreamDestinations")}</CardTitle>
        {operator && (
          <Button asChild variant="outline" size="sm">
            <Link to={path(`/restreams/new?stream_id=${streamId}`)}>
              <Plus aria-hidden />
              {t("live.restreamTo")}
            </Link>
          </Button>
        )}
      </CardHeader>
      {restreams.error && (
        <div className="px-5 pb-5">
          <ApiFailureAlert error={restreams.error} />
        </div>
      )}
      {restreams.data?.length === 0 && (
        <p className="px-5 pb-5 text-sm text-muted-foreground">{t("live.noRestreams")}</p>
      )}
      {restreams.data?.map((restream) => (
        <div key={restream.id} className="border-t border-border">
          <div className="flex items-center gap-3 px-5 py-2 text-sm">
            <Link to={path(`/restreams/${restream.id}`)} className="font-medium text-primary hover:underline">
              {restream.title}
            </Link>
            <StatusBadge status={restream.status} />
          </div>
          <RestreamDestinations destinations={restream.output_destinations} />
        </div>
      ))}
    </Card>
  );
}

/** The current session and the past ones: how long, why they ended, their recording and archive job. */
function Sessions({ view, now }: { view: StreamDetail; now: number }) {
  const { t, i18n } = useTranslation();
  const path = useLocalePath();
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "short", timeStyle: "medium" });
  const sessions = [...(view.current_session ? [view.current_session] : []), ...view.sessions].filter(
    (session, index, all) => all.findIndex((other) => other.id === session.id) === index,
  );
  return (
    <Card className="lg:col-span-3" data-testid="stream-sessions">
      <CardHeader>
        <CardTitle>{t("live.sessions")}</CardTitle>
      </CardHeader>
      {sessions.length === 0 ? (
        <p className="px-5 pb-5 text-sm text-muted-foreground">{t("live.noSessions")}</p>
      ) : (
        <Table>
          <thead>
            <tr>
              <TableHead>{t("live.startedAt")}</TableHead>
              <TableHead>{t("streams.status")}</TableHead>
              <TableHead>{t("live.protocol")}</TableHead>
              <TableHead>{t("streams.duration")}</TableHead>
              <TableHead>{t("live.interruptions")}</TableHead>
              <TableHead>{t("live.endReason")}</TableHead>
              <TableHead>{t("live.recording")}</TableHead>
              <TableHead>{t("live.archiveJob")}</TableHead>
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => (
              <tr key={session.id} data-session-id={session.id}>
                <TableCell className="whitespace-nowrap text-xs">
                  {date.format(new Date(session.started_at))}
                </TableCell>
                <TableCell>
                  <LiveBadge status={session.status === "ended" ? "idle" : session.status} />
                </TableCell>
                <TableCell className="uppercase text-xs">{session.protocol}</TableCell>
                <TableCell className="tabular-nums">
                  {formatDuration(
                    session.duration_seconds ??
                      (session.ended_at === null ? (now - Date.parse(session.started_at)) / 1000 : null),
                  )}
                </TableCell>
                <TableCell className="tabular-nums">{session.interruptions}</TableCell>
                <TableCell className="text-xs">{session.end_reason ?? "—"}</TableCell>
                <TableCell className="text-xs tabular-nums">
                  {session.recording
                    ? `${formatDuration(session.recording.duration_seconds)} · ${formatBytes(session.recording.bytes)}`
                    : session.record
                      ? t("live.recordingPending")
                      : "—"}
                </TableCell>
                <TableCell className="font-mono text-xs">
                  {session.archive_job_id ? (
                    <Link
                      to={path(`/jobs/${session.archive_job_id}`)}
                      className="text-primary hover:underline"
                    >
                      {session.archive_job_id.slice(0, 8)}
                    </Link>
                  ) : (
                    "—"
                  )}
                </TableCell>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
