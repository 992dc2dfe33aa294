import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, Download, History } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { JobActions } from "../components/JobActions.tsx";
import { JobPlayer } from "../components/JobPlayer.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { Badge } from "../components/ui/badge.tsx";
import { Button } from "../components/ui/button.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "../components/ui/card.tsx";
import { Progress } from "../components/ui/progress.tsx";
import { Slider } from "../components/ui/slider.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type { JobDetail as JobDetailView, JobOutput, LoggedEvent } from "../lib/apiTypes.ts";
import { atFeedPosition } from "../lib/feedPosition.ts";
import { formatBytes } from "../lib/formatBytes.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { replayJob } from "../lib/replayJob.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";

export default function JobDetail() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const path = useLocalePath();
  const navigate = useNavigate();
  const job = useQuery({
    queryKey: ["job", id],
    queryFn: () => apiFetch<JobDetailView>(atFeedPosition(`/v1/jobs/${id}`)),
  });
  const completed = job.data?.status === "completed";
  const outputs = useQuery({
    queryKey: ["job", id, "outputs"],
    queryFn: () => apiFetch<{ outputs: JobOutput[] }>(atFeedPosition(`/v1/jobs/${id}/outputs`)),
    enabled: completed,
  });

  if (job.isPending) return <p className="text-sm text-muted-foreground">{t("common.loading")}</p>;
  if (!job.data) return <p role="alert">{t("job.notFound")}</p>;
  const view = job.data;

  return (
    <>
      <Link to={path("/jobs")} className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground">
        <ArrowLeft aria-hidden className="size-4" />
        {t("jobs.title")}
      </Link>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            <span className="font-mono text-xl">{view.id.slice(0, 8)}</span>
            <StatusBadge status={view.status} />
          </span>
        }
        actions={<JobActions job={view} onDeleted={() => navigate(path("/jobs"))} />}
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>{t("job.overview")}</CardTitle>
          </CardHeader>
          <CardContent className="space-y-4">
            <div className="flex items-center gap-3">
              <Progress value={view.progress_pct} label={t("jobs.progress")} className="h-3" />
              <span
                className="w-16 whitespace-nowrap text-right font-semibold tabular-nums"
                data-testid="job-progress"
              >
                {view.progress_pct} %
              </span>
            </div>
            <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
              <Figure label={t("jobs.eta")} value={formatDuration(view.eta_seconds)} />
              <Figure label={t("jobs.profile")} value={view.profile} />
              <Figure
                label={t("job.tasks")}
                value={t("job.tasksDone", { done: view.tasks_completed, total: view.tasks_total })}
              />
              <Figure label={t("job.speed")} value={view.speed ? `${view.speed.toFixed(1)}×` : "—"} />
            </dl>
            <p className="truncate text-xs text-muted-foreground" title={view.source_url}>
              {t("jobs.source")}: {view.source_url}
            </p>
            {view.error && (
              <p role="alert" className="rounded-md bg-destructive/10 p-3 text-sm text-destructive">
                {t("job.error")}: {view.error.code} {view.error.message}
              </p>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>{t("job.outputs")}</CardTitle>
          </CardHeader>
          <CardContent className="space-y-2">
            {outputs.data?.outputs.map((output) => (
              <div key={output.name} className="flex items-center justify-between gap-2 text-sm">
                <span className="truncate">{output.name}</span>
                <Button asChild variant="outline" size="sm">
                  <a href={output.download_url} download>
                    <Download aria-hidden />
                    {t("job.download")} ({formatBytes(output.size_bytes)})
                  </a>
                </Button>
              </div>
            )) ?? <p className="text-sm text-muted-foreground">{t("job.noOutputs")}</p>}
          </CardContent>
        </Card>
        {outputs.data && <JobPlayer outputs={outputs.data.outputs} />}
        <Card className="lg:col-span-3">
          <CardHeader>
            <CardTitle>{t("job.tasks")}</CardTitle>
          </CardHeader>
          <Table>
            <thead>
              <tr>
                <TableHead>{t("job.index")}</TableHead>
                <TableHead>{t("job.kind")}</TableHead>
                <TableHead>{t("job.range")}</TableHead>
                <TableHead>{t("jobs.status")}</TableHead>
                <TableHead className="w-48">{t("jobs.progress")}</TableHead>
                <TableHead>{t("job.worker")}</TableHead>
                <TableHead>{t("job.attempts")}</TableHead>
                <TableHead>{t("job.size")}</TableHead>
              </tr>
            </thead>
            <tbody>
              {view.tasks.map((task) => (
                <tr key={task.id} data-task-id={task.id} data-task-kind={task.kind}>
                  <TableCell>{task.sequence_index}</TableCell>
                  <TableCell>
                    {t(`job.kinds.${task.kind}`)}
                    {(task.renditions.length > 0 || task.rendition) && (
                      <span className="ml-1 text-xs text-muted-foreground" data-testid="task-renditions">
                        {(task.renditions.length > 0 ? task.renditions : [task.rendition]).join(" · ")}
                      </span>
                    )}
                  </TableCell>
                  <TableCell className="tabular-nums">
                    {formatDuration(task.start_time_sec)}–{formatDuration(task.end_time_sec)}
                  </TableCell>
                  <TableCell>
                    <StatusBadge status={task.status} />
                  </TableCell>
                  <TableCell>
                    <Progress
                      value={task.progress_pct}
                      label={`${t("jobs.progress")} #${task.sequence_index}`}
                    />
                  </TableCell>
                  <TableCell className="font-mono text-xs whitespace-nowrap" data-testid="task-worker">
                    {task.worker_id ? (
                      <Link
                        to={path(`/workers/${encodeURIComponent(task.worker_id)}`)}
                        className="text-primary hover:underline"
                        aria-label={t("workers.details", { id: task.worker_id })}
                      >
                        {/* whole: a process's workers share its host-and-run prefix and differ at the end */}
                        {task.worker_id}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </TableCell>
                  <TableCell>
                    {task.attempt} / {task.max_attempts}
                  </TableCell>
                  <TableCell>{formatBytes(task.output_size_bytes)}</TableCell>
                </tr>
              ))}
            </tbody>
          </Table>
          <AttemptLogs tasks={view.tasks} />
        </Card>
        {/* a ladder's renditions are stitched each on its own: each shows its own seams */}
        {view.tasks.some((task) => task.kind === "stitch" && task.rendition !== null && task.stitch !== null)
          ? view.tasks.map(
              (task) =>
                task.kind === "stitch" &&
                task.rendition !== null &&
                task.stitch !== null && (
                  <Seams key={task.id} stitch={task.stitch} rendition={task.rendition} />
                ),
            )
          : view.stitch && <Seams stitch={view.stitch} />}
        <Timeline jobId={view.id} />
      </div>
    </>
  );
}

/**
 * How far a seam's SSIM may fall below the job's mean before a viewer could notice the cut: split &
 * stitch's goal (README, "Split & stitch"), so the page points at the seams that miss it.
 */
const SEAM_DELTA_LIMIT = -0.005;

/** A split job's stitch proof and each seam's SSIM against the job's mean: where a seam could show. */
function Seams({ stitch, rendition }: { stitch: NonNullable<JobDetailView["stitch"]>; rendition?: string }) {
  const { t } = useTranslation();
  const visible = stitch.seams.filter((seam) => seam.delta < SEAM_DELTA_LIMIT).length;
  return (
    <Card className="lg:col-span-3" data-testid="seams" data-rendition={rendition}>
      <CardHeader>
        <CardTitle>
          {t("job.seams")}
          {rendition === undefined ? "" : ` · ${rendition}`}
        </CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
          <Figure
            label={t("job.kinds.stitch")}
            value={t("job.framesVerified", { count: stitch.frame_count })}
          />
          <Figure
            label={t("job.meanSsim")}
            value={stitch.mean_ssim === null ? "—" : stitch.mean_ssim.toFixed(5)}
          />
          <Figure
            label={t("job.worstSeam")}
            value={stitch.worst_seam_delta === null ? "—" : stitch.worst_seam_delta.toFixed(5)}
          />
          <Figure label={t("job.seamsToCheck")} value={String(visible)} />
        </dl>
        {stitch.seams_unmeasured !== null && (
          <p className="text-sm text-muted-foreground">
            {t("job.seamsUnmeasured", { reason: stitch.seams_unmeasured })}
          </p>
        )}
        {stitch.seams.length > 0 && (
          <p className="text-sm text-muted-foreground" id="seam-limit">
            {t("job.seamLimit", { limit: Math.abs(SEAM_DELTA_LIMIT) })}
          </p>
        )}
        {stitch.seams.length > 0 && (
          <Table aria-describedby="seam-limit">
            <thead>
              <tr>
                <TableHead>{t("job.seam")}</TableHead>
                <TableHead>{t("job.seamAt")}</TableHead>
                <TableHead>{t("job.ssim")}</TableHead>
                <TableHead>{t("job.delta")}</TableHead>
                <TableHead>{t("job.seamVerdict")}</TableHead>
              </tr>
            </thead>
            <tbody>
              {stitch.seams.map((seam) => {
                const shows = seam.delta < SEAM_DELTA_LIMIT;
                return (
                  <tr
                    key={seam.index}
                    data-seam-index={seam.index}
                    data-flagged={shows}
                    className={shows ? "bg-destructive/5" : undefined}
                  >
                    <TableCell>{seam.index}</TableCell>
                    <TableCell className="tabular-nums">{formatDuration(seam.time_sec)}</TableCell>
                    <TableCell className="tabular-nums" data-testid="seam-ssim">
                      {seam.ssim.toFixed(5)}
                    </TableCell>
                    <TableCell className="tabular-nums" data-testid="seam-delta">
                      {seam.delta.toFixed(5)}
                    </TableCell>
                    <TableCell>
                      {/* said in words, not by colour alone, so a screen reader hears it too */}
                      <Badge tone={shows ? "danger" : "success"}>
                        {shows ? t("job.seamMayShow") : t("job.seamWithin")}
                      </Badge>
                    </TableCell>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

/** Each attempt that ended in a failure, with what ffmpeg said last: why a task was retried. */
function AttemptLogs({ tasks }: { tasks: JobDetailView["tasks"] }) {
  const { t } = useTranslation();
  const failed = tasks.flatMap((task) =>
    task.attempts
      .filter((attempt) => attempt.error_message || attempt.stderr_tail)
      .map((attempt) => ({ task, attempt })),
  );
  if (failed.length === 0) return null;
  return (
    <div className="space-y-2 p-5">
      {failed.map(({ task, attempt }) => (
        <details key={`${task.id}-${attempt.attempt}`} className="rounded-md border border-border">
          <summary className="cursor-pointer px-3 py-2 text-sm">
            {t("job.attemptLog", { index: task.sequence_index, attempt: attempt.attempt })}
            {attempt.exit_class && <span className="ml-2 text-muted-foreground">({attempt.exit_class})</span>}
            {attempt.error_message && <span className="ml-2 text-destructive">{attempt.error_message}</span>}
          </summary>
          <pre className="max-h-64 overflow-auto border-t border-border bg-muted/50 p-3 text-xs whitespace-pre-wrap">
            {attempt.stderr_tail ?? "—"}
          </pre>
        </details>
      ))}
    </div>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="font-medium">{value}</dd>
    </div>
  );
}

/** The job's events from the log, with a slider that shows the job as it was after any one of them. */
function Timeline({ jobId }: { jobId: string }) {
  const { t, i18n } = useTranslation();
  const events = useQuery({
    queryKey: ["job-events", jobId],
    queryFn: () => apiFetch<{ events: LoggedEvent[] }>(`/v1/jobs/${jobId}/events`),
  });
  // null: follow the newest event; a number: the user picked that many events
  const [picked, setPicked] = useState<number | null>(null);
  const list = events.data?.events ?? [];
  const count = picked === null ? list.length : Math.min(picked, list.length);
  const state = replayJob(list, count);
  const time = new Intl.DateTimeFormat(i18n.language, { timeStyle: "medium" });

  return (
    <Card className="lg:col-span-3">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <History aria-hidden className="size-4" />
          {t("job.timeline")}
        </CardTitle>
        <span className="text-xs text-muted-foreground" data-testid="timeline-position">
          {t("job.atEvent", { n: count, total: list.length })}
        </span>
      </CardHeader>
      <CardContent className="space-y-5">
        <p className="text-sm text-muted-foreground">{t("job.timelineHint")}</p>
        {list.length > 0 && (
          <Slider
            aria-label={t("job.timeline")}
            min={1}
            max={list.length}
            step={1}
            value={[Math.max(1, count)]}
            onValueChange={([value]) => setPicked(value === list.length ? null : (value ?? null))}
          />
        )}
        <div
          className="flex flex-wrap items-center gap-4 rounded-lg border border-border bg-card p-4 text-sm"
          data-testid="timeline-state"
          data-status={state.status}
        >
          <span className="text-xs text-muted-foreground">{t("job.asOf")}</span>
          <StatusBadge status={state.status} />
          <div className="flex min-w-48 flex-1 items-center gap-2">
            <Progress value={state.progress_pct} label={t("job.asOf")} />
            <span className="whitespace-nowrap text-xs tabular-nums">{state.progress_pct} %</span>
          </div>
          <div className="flex gap-1">
            {state.tasks.map((task) => (
              <span
                key={task.task_id}
                title={`#${task.sequence_index} ${t(`status.${task.status}`, { defaultValue: task.status })}`}
                className={
                  task.status === "completed"
                    ? "size-3 rounded-sm bg-success"
                    : task.status === "running"
                      ? "size-3 rounded-sm bg-primary"
                      : task.status === "failed"
                        ? "size-3 rounded-sm bg-destructive"
                        : "size-3 rounded-sm bg-border"
                }
              />
            ))}
          </div>
        </div>
        <ol className="max-h-72 space-y-1 overflow-y-auto text-sm">
          {list.map((event, index) => (
            <li key={event.position}>
              <button
                type="button"
                onClick={() => setPicked(index + 1 === list.length ? null : index + 1)}
                className={
                  index < count
                    ? "flex w-full items-center gap-3 rounded px-2 py-1 text-left hover:bg-muted"
                    : "flex w-full items-center gap-3 rounded px-2 py-1 text-left text-muted-foreground/60 hover:bg-muted"
                }
                aria-current={index + 1 === count ? "step" : undefined}
              >
                <span className="w-20 shrink-0 text-xs tabular-nums text-muted-foreground">
                  {time.format(new Date(event.occurred_at))}
                </span>
                <span className="font-mono text-xs">{event.type}</span>
              </button>
            </li>
          ))}
        </ol>
      </CardContent>
    </Card>
  );
}
