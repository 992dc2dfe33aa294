// One restream: its input, schedule and options, its run (uptime, why it stopped) and each destination
// with its state, bitrate, uptime, error count and last error; start, stop and delete.
import { useQuery } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { ApiFailureAlert } from "../components/ApiFailureAlert.tsx";
import { Figure } from "../components/Figure.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { RestreamActions } from "../components/RestreamActions.tsx";
import { RestreamDestinations } from "../components/RestreamDestinations.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "../components/ui/card.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type { RestreamDetail as RestreamDetailView } from "../lib/apiTypes.ts";
import { atFeedPosition } from "../lib/feedPosition.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";

export default function RestreamDetail() {
  const { t, i18n } = useTranslation();
  const { id = "" } = useParams();
  const path = useLocalePath();
  const navigate = useNavigate();
  const restream = useQuery({
    queryKey: ["restream", id],
    queryFn: () => apiFetch<RestreamDetailView>(atFeedPosition(`/v1/restreams/${id}`)),
    // destinations' bitrate and uptime come from the running process, not from events
    refetchInterval: (query) => (query.state.data?.status === "streaming" ? 2_000 : 10_000),
  });
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });

  if (restream.isPending) return <p className="text-sm text-muted-foreground">{t("common.loading")}</p>;
  if (!restream.data) {
    return (
      <>
        <p role="alert" className="mb-3">
          {t("restreams.notFound")}
        </p>
        <ApiFailureAlert error={restream.error} />
      </>
    );
  }
  const view = restream.data;
  const schedule = view.schedule_config;

  return (
    <>
      <Link
        to={path("/restreams")}
        className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground"
      >
        <ArrowLeft aria-hidden className="size-4" />
        {t("restreams.title")}
      </Link>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            <span>{view.title}</span>
            <StatusBadge status={view.status} />
          </span>
        }
        actions={<RestreamActions restream={view} onDeleted={() => navigate(path("/restreams"))} />}
      />
      {view.description && <p className="mb-4 max-w-3xl text-sm text-muted-foreground">{view.description}</p>}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>{t("restreams.input")}</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-2 gap-4 text-sm">
              <Figure label={t("restreams.inputType")} value={t(`restreams.inputs.${view.input_type}`)} />
              {view.stream_id && (
                <Figure
                  label={t("restreams.stream")}
                  value={
                    <Link to={path(`/streams/${view.stream_id}`)} className="text-primary hover:underline">
                      {t("restreams.openStream")}
                    </Link>
                  }
                />
              )}
              {view.input_url && (
                <Figure
                  label={t("restreams.inputUrl")}
                  value={<span className="break-all">{view.input_url}</span>}
                />
              )}
              {view.job_id && (
                <Figure
                  label={t("restreams.jobId")}
                  value={
                    <Link
                      to={path(`/jobs/${view.job_id}`)}
                      className="font-mono text-primary hover:underline"
                    >
                      {view.job_id.slice(0, 8)}
                    </Link>
                  }
                />
              )}
              {view.output_key && <Figure label={t("restreams.outputKey")} value={view.output_key} />}
              <Figure
                label={t("restreams.loop")}
                value={view.loop_enabled ? t("common.yes") : t("common.no")}
              />
              <Figure
                label={t("restreams.simulateLive")}
                value={view.simulate_live ? t("common.yes") : t("common.no")}
              />
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>{t("restreams.run")}</CardTitle>
          </CardHeader>
          <CardContent className="space-y-3">
            <dl className="grid grid-cols-2 gap-4 text-sm">
              <Figure
                label={t("restreams.schedule")}
                value={t(`restreams.schedules.${view.schedule_type}`)}
              />
              {schedule.start_at && (
                <Figure label={t("restreams.startAt")} value={date.format(new Date(schedule.start_at))} />
              )}
              {schedule.cron && (
                <Figure
                  label={t("restreams.cron")}
                  value={
                    <span className="font-mono">
                      {schedule.cron}
                      {schedule.timezone ? ` (${schedule.timezone})` : ""}
                    </span>
                  }
                />
              )}
              {schedule.duration_seconds && (
                <Figure
                  label={t("restreams.durationMinutes")}
                  value={formatDuration(schedule.duration_seconds)}
                />
              )}
              <Figure
                label={t("live.uptime")}
                value={formatDuration(view.uptime_seconds)}
                testId="restream-uptime"
              />
              <Figure
                label={t("restreams.startedAt")}
                value={view.started_at ? date.format(new Date(view.started_at)) : "—"}
              />
              {view.stopped_at && (
                <Figure label={t("restreams.stoppedAt")} value={date.format(new Date(view.stopped_at))} />
              )}
              {view.stop_reason && (
                <Figure
                  label={t("restreams.stopReason")}
                  value={t(`restreams.stopReasons.${view.stop_reason}`)}
                />
              )}
            </dl>
            {view.last_error && (
              <p role="alert" className="rounded-md bg-destructive/10 p-3 text-sm text-destructive">
                {view.last_error}
              </p>
            )}
          </CardContent>
        </Card>
        <Card className="lg:col-span-2" data-testid="restream-destinations">
          <CardHeader>
            <CardTitle>{t("restreams.destinations")}</CardTitle>
            <span className="text-xs text-muted-foreground tabular-nums">
              {view.output_destinations.filter((d) => d.status === "live").length} /{" "}
              {view.output_destinations.length} {t("restreams.liveCount")}
            </span>
          </CardHeader>
          <RestreamDestinations destinations={view.output_destinations} />
        </Card>
      </div>
    </>
  );
}
