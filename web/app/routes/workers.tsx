import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeader } from "../components/PageHeader.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { Badge } from "../components/ui/badge.tsx";
import { Card } from "../components/ui/card.tsx";
import { Progress } from "../components/ui/progress.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { WorkerActions } from "../components/WorkerActions.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type { WorkerList } from "../lib/apiTypes.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { can, useSession } from "../lib/useSession.ts";
import { workerState } from "../lib/workerState.ts";

export default function Workers() {
  const { t } = useTranslation();
  const path = useLocalePath();
  const admin = can(useSession().data, "admin");
  const workers = useQuery({
    queryKey: ["workers"],
    queryFn: () => apiFetch<WorkerList>("/v1/workers"),
    refetchInterval: 5_000,
  });
  return (
    <>
      <PageHeader title={t("workers.title")} />
      <Card>
        <Table>
          <thead>
            <tr>
              <TableHead>ID</TableHead>
              <TableHead>{t("workers.host")}</TableHead>
              <TableHead>{t("jobs.status")}</TableHead>
              <TableHead>{t("workers.encoders")}</TableHead>
              <TableHead>{t("workers.heartbeat")}</TableHead>
              <TableHead className="w-56">{t("workers.task")}</TableHead>
              {admin && <TableHead className="text-right">{t("jobs.actions")}</TableHead>}
            </tr>
          </thead>
          <tbody>
            {workers.data?.workers.map((worker) => (
              <tr key={worker.id} data-worker-id={worker.id}>
                <TableCell className="font-mono text-xs whitespace-nowrap">
                  <Link
                    to={path(`/workers/${encodeURIComponent(worker.id)}`)}
                    className="text-primary hover:underline"
                    aria-label={t("workers.details", { id: worker.id })}
                  >
                    {/* whole: a process's workers share its host-and-run prefix and differ at the end */}
                    {worker.id}
                  </Link>
                </TableCell>
                <TableCell>
                  {worker.hostname} <span className="text-xs text-muted-foreground">pid {worker.pid}</span>
                </TableCell>
                <TableCell>
                  <StatusBadge status={workerState(worker)} />
                  {worker.quarantined && (
                    <p
                      className="mt-1 max-w-56 text-xs text-muted-foreground"
                      data-testid="quarantine-reason"
                    >
                      {worker.quarantined.reason}
                    </p>
                  )}
                </TableCell>
                <TableCell>
                  <div className="flex flex-wrap gap-1">
                    {worker.capabilities.encoders.map((encoder) => (
                      <Badge key={encoder.name} tone={encoder.hardware ? "info" : "neutral"}>
                        {encoder.name}
                      </Badge>
                    ))}
                  </div>
                </TableCell>
                <TableCell className="text-xs tabular-nums">
                  {t("workers.secondsAgo", { n: worker.heartbeat_age_seconds })}
                </TableCell>
                <TableCell>
                  {worker.current_task ? (
                    <Link
                      to={path(`/jobs/${worker.current_task.job_id}`)}
                      className="flex items-center gap-2"
                    >
                      <Progress value={worker.current_task.progress_pct} label={t("workers.task")} />
                      <span className="text-xs tabular-nums">{worker.current_task.progress_pct} %</span>
                    </Link>
                  ) : (
                    <span className="text-xs text-muted-foreground">{t("workers.idle")}</span>
                  )}
                </TableCell>
                {admin && (
                  <TableCell>
                    <WorkerActions worker={worker} />
                  </TableCell>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
        {workers.data?.workers.length === 0 && (
          <p className="p-8 text-center text-sm text-muted-foreground">{t("workers.empty")}</p>
        )}
      </Card>
    </>
  );
}
