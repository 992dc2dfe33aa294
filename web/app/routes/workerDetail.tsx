import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, ShieldAlert } from "lucide-react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { PageHeader } from "../components/PageHeader.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { Badge } from "../components/ui/badge.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "../components/ui/card.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { WorkerActions } from "../components/WorkerActions.tsx";
import { ApiRequestError, apiFetch } from "../lib/apiFetch.ts";
import type { WorkerDetail as WorkerDetailView } from "../lib/apiTypes.ts";
import { formatBytes } from "../lib/formatBytes.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { workerState } from "../lib/workerState.ts";

export default function WorkerDetail() {
  const { t, i18n } = useTranslation();
  const { id = "" } = useParams();
  const path = useLocalePath();
  const navigate = useNavigate();
  const worker = useQuery({
    queryKey: ["workers", id],
    queryFn: () => apiFetch<WorkerDetailView>(`/v1/workers/${encodeURIComponent(id)}`),
    refetchInterval: 5_000,
    retry: (count, error) => !(error instanceof ApiRequestError && error.failure.status === 404) && count < 3,
  });

  if (worker.isPending) return <p className="text-sm text-muted-foreground">{t("common.loading")}</p>;
  if (!worker.data) return <p role="alert">{t("workers.notFound")}</p>;
  const view = worker.data;
  const caps = view.capabilities;
  const when = (at: string | null) => (at ? new Date(at).toLocaleString(i18n.language) : "—");

  return (
    <>
      <Link
        to={path("/workers")}
        className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground"
      >
        <ArrowLeft aria-hidden className="size-4" />
        {t("workers.title")}
      </Link>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            <span>{view.hostname}</span>
            <span data-testid="worker-state">
              <StatusBadge status={workerState(view)} />
            </span>
          </span>
        }
        actions={<WorkerActions worker={view} onRemoved={() => navigate(path("/workers"))} />}
      />
      {view.quarantined && (
        <section
          aria-labelledby="quarantine-title"
          data-testid="quarantine"
          className="mb-6 rounded-lg border border-destructive/40 bg-destructive/5 p-4 text-sm"
        >
          <h2 id="quarantine-title" className="flex items-center gap-2 font-semibold">
            <ShieldAlert aria-hidden className="size-4" />
            {t("workers.quarantined")}
          </h2>
          <p className="mt-1 text-muted-foreground">{t("workers.quarantinedHint")}</p>
          <dl className="mt-3 grid gap-x-6 gap-y-3 sm:grid-cols-3">
            <Fact label={t("workers.quarantineReason")}>
              <span data-testid="quarantine-reason">{view.quarantined.reason}</span>
            </Fact>
            <Fact label={t("workers.exitClass")}>{view.quarantined.exit_class}</Fact>
            <Fact label={t("workers.quarantinedSince")}>{when(view.quarantined.since)}</Fact>
          </dl>
        </section>
      )}
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>{t("workers.capabilities")}</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
              <Fact label={t("workers.encoders")}>
                <span className="flex flex-wrap gap-1">
                  {caps.encoders.map((encoder) => (
                    <Badge key={encoder.name} tone={encoder.hardware ? "info" : "neutral"}>
                      {encoder.name}
                    </Badge>
                  ))}
                </span>
              </Fact>
              <Fact label={t("workers.hwaccels")}>{caps.hwaccels.join(", ") || "—"}</Fact>
              <Fact label={t("workers.cpuCores")}>{caps.cpu_cores ?? "—"}</Fact>
              <Fact label={t("workers.memory")}>{formatBytes(caps.memory_bytes)}</Fact>
              <Fact label={t("workers.gpus")}>
                {caps.gpus.map((gpu) => `${gpu.vendor} ${gpu.model}`).join(", ") || "—"}
              </Fact>
              <Fact label={t("workers.maxParallel")}>{caps.max_parallel_tasks}</Fact>
              <Fact label={t("workers.version")}>{caps.version ?? "—"}</Fact>
              <Fact label={t("workers.process")}>
                <span className="font-mono text-xs">
                  {view.id} · pid {view.pid}
                </span>
              </Fact>
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>{t("workers.health")}</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="space-y-3 text-sm">
              <Fact label={t("workers.heartbeat")}>
                <span data-testid="heartbeat-age" className="tabular-nums">
                  {t("workers.secondsAgo", { n: view.heartbeat_age_seconds })}
                </span>
              </Fact>
              <Fact label={t("workers.started")}>{when(view.started_at)}</Fact>
              {view.stopped_at && (
                <Fact label={t("workers.stopped")}>
                  {when(view.stopped_at)} {view.stop_reason && `(${view.stop_reason})`}
                </Fact>
              )}
              {view.lost_at && <Fact label={t("workers.lostAt")}>{when(view.lost_at)}</Fact>}
              <Fact label={t("workers.tasksDone")}>
                <span className="tabular-nums" data-testid="tasks-done">
                  {view.tasks_done}
                </span>
              </Fact>
              <Fact label={t("workers.meanTaskTime")}>{formatDuration(view.mean_task_seconds)}</Fact>
            </dl>
          </CardContent>
        </Card>
      </div>
      <Card className="mt-6">
        <CardHeader>
          <CardTitle>{t("workers.runningTasks")}</CardTitle>
        </CardHeader>
        <Table>
          <thead>
            <tr>
              <TableHead>{t("jobs.id")}</TableHead>
              <TableHead>{t("workers.taskId")}</TableHead>
              <TableHead>{t("job.attempts")}</TableHead>
              <TableHead>{t("job.started")}</TableHead>
            </tr>
          </thead>
          <tbody>
            {view.running_tasks.map((task) => (
              <tr key={`${task.task_id}-${task.attempt}`}>
                <TableCell className="font-mono text-xs">
                  <Link to={path(`/jobs/${task.job_id}`)} className="text-primary hover:underline">
                    {task.job_id.slice(0, 8)}
                  </Link>
                </TableCell>
                <TableCell className="font-mono text-xs">{task.task_id.slice(0, 8)}</TableCell>
                <TableCell className="tabular-nums">{task.attempt}</TableCell>
                <TableCell className="text-xs">{when(task.started_at)}</TableCell>
              </tr>
            ))}
          </tbody>
        </Table>
        {view.running_tasks.length === 0 && (
          <p className="p-6 text-center text-sm text-muted-foreground">{t("workers.idle")}</p>
        )}
      </Card>
      <Card className="mt-6">
        <CardHeader>
          <CardTitle>{t("workers.recentErrors")}</CardTitle>
        </CardHeader>
        <Table>
          <thead>
            <tr>
              <TableHead>{t("jobs.id")}</TableHead>
              <TableHead>{t("job.attempts")}</TableHead>
              <TableHead>{t("workers.exitClass")}</TableHead>
              <TableHead>{t("job.error")}</TableHead>
              <TableHead>{t("job.finished")}</TableHead>
            </tr>
          </thead>
          <tbody>
            {view.recent_errors.map((failure) => (
              <tr key={`${failure.task_id}-${failure.attempt}`}>
                <TableCell className="font-mono text-xs">
                  <Link to={path(`/jobs/${failure.job_id}`)} className="text-primary hover:underline">
                    {failure.job_id.slice(0, 8)}
                  </Link>
                </TableCell>
                <TableCell className="tabular-nums">{failure.attempt}</TableCell>
                <TableCell className="text-xs">{failure.exit_class ?? "—"}</TableCell>
                <TableCell className="max-w-md truncate text-xs" title={failure.message ?? undefined}>
                  {failure.message ?? "—"}
                </TableCell>
                <TableCell className="text-xs">{when(failure.at)}</TableCell>
              </tr>
            ))}
          </tbody>
        </Table>
        {view.recent_errors.length === 0 && (
          <p className="p-6 text-center text-sm text-muted-foreground">{t("workers.noErrors")}</p>
        )}
      </Card>
    </>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="mt-0.5">{children}</dd>
    </div>
  );
}
