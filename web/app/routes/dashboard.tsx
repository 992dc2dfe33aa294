import { useQuery } from "@tanstack/react-query";
import { Activity, CheckCircle2, Cpu, Layers, XCircle } from "lucide-react";
import { type ComponentType, lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { LiveNowCard } from "../components/LiveNowCard.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "../components/ui/card.tsx";
import { cn } from "../components/ui/cn.ts";
import { Progress } from "../components/ui/progress.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type { JobList, Readiness, WorkerList } from "../lib/apiTypes.ts";
import { atFeedPosition } from "../lib/feedPosition.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";

// recharts is most of this page's weight: it loads after the first render, beside the live figures
const JobCharts = lazy(() =>
  import("../components/JobCharts.tsx").then((module) => ({ default: module.JobCharts })),
);

const ACTIVE = "queued,processing,stitching,uploading".split(",");

/** How many jobs have a status: the list's total, one row fetched. */
function useJobCount(statuses: readonly string[]) {
  return useQuery({
    queryKey: ["jobs", "count", statuses.join(",")],
    queryFn: async () => {
      const totals = await Promise.all(
        statuses.map((status) => apiFetch<JobList>(`/v1/jobs?limit=1&status=${status}`)),
      );
      return totals.reduce((sum, list) => sum + list.pagination.total, 0);
    },
  });
}

async function readiness(): Promise<Readiness> {
  // /ready answers 503 with the same body when a check fails: that is a state to show, not an error
  const response = await fetch("/ready", { headers: { Accept: "application/json" } });
  return (await response.json()) as Readiness;
}

export default function Dashboard() {
  const { t } = useTranslation();
  const path = useLocalePath();
  const ready = useQuery({ queryKey: ["ready"], queryFn: readiness, refetchInterval: 10_000 });
  const workers = useQuery({ queryKey: ["workers"], queryFn: () => apiFetch<WorkerList>("/v1/workers") });
  const recent = useQuery({
    queryKey: ["jobs", "recent"],
    queryFn: () => apiFetch<JobList>(atFeedPosition("/v1/jobs?limit=8")),
  });
  const active = useJobCount(ACTIVE);
  const completed = useJobCount(["completed"]);
  const failed = useJobCount(["failed"]);
  const queue = ready.data?.checks.queue?.detail as { depth?: number } | undefined;
  const head = ready.data?.checks.event_store?.detail as { head?: number } | undefined;

  return (
    <>
      <PageHeader title={t("dashboard.title")} />
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-5">
        <Stat icon={Layers} label={t("dashboard.queueDepth")} value={queue?.depth} />
        <Stat icon={Cpu} label={t("dashboard.workersOnline")} value={workers.data?.online} />
        <Stat icon={Activity} label={t("dashboard.activeJobs")} value={active.data} />
        <Stat
          icon={CheckCircle2}
          label={t("dashboard.completedJobs")}
          value={completed.data}
          tone="success"
        />
        <Stat icon={XCircle} label={t("dashboard.failedJobs")} value={failed.data} tone="danger" />
      </div>
      <Suspense fallback={<div className="mt-6 h-[19rem]" aria-hidden />}>
        <JobCharts />
      </Suspense>
      <LiveNowCard />
      <div className="mt-6 grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>{t("dashboard.recentJobs")}</CardTitle>
            <Link to={path("/jobs")} className="text-sm text-primary hover:underline">
              {t("dashboard.viewAll")}
            </Link>
          </CardHeader>
          <Table>
            <thead>
              <tr>
                <TableHead>{t("jobs.id")}</TableHead>
                <TableHead>{t("jobs.profile")}</TableHead>
                <TableHead>{t("jobs.status")}</TableHead>
                <TableHead className="w-48">{t("jobs.progress")}</TableHead>
              </tr>
            </thead>
            <tbody>
              {recent.data?.jobs.map((job) => (
                <tr key={job.id}>
                  <TableCell className="font-mono text-xs">
                    <Link to={path(`/jobs/${job.id}`)} className="text-primary hover:underline">
                      {job.id.slice(0, 8)}
                    </Link>
                  </TableCell>
                  <TableCell>{job.profile}</TableCell>
                  <TableCell>
                    <StatusBadge status={job.status} />
                  </TableCell>
                  <TableCell>
                    <Progress
                      value={job.progress_pct}
                      label={`${t("jobs.progress")} ${job.id.slice(0, 8)}`}
                    />
                  </TableCell>
                </tr>
              ))}
            </tbody>
          </Table>
          {recent.data?.jobs.length === 0 && (
            <p className="p-6 text-center text-sm text-muted-foreground">{t("jobs.empty")}</p>
          )}
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>{t("dashboard.health")}</CardTitle>
            {ready.data && (
              <StatusBadge
                status={
                  ready.data.status === "ready"
                    ? "online"
                    : ready.data.status === "degraded"
                      ? "degraded"
                      : "failed"
                }
              />
            )}
          </CardHeader>
          <CardContent>
            <p className="mb-3 text-sm text-muted-foreground">
              {ready.data?.status === "ready" ? t("dashboard.ready") : t("dashboard.notReady")}
            </p>
            <ul className="space-y-2 text-sm">
              {Object.entries(ready.data?.checks ?? {}).map(([name, check]) => (
                <li key={name} className="flex items-center justify-between">
                  <span className="flex items-center gap-2">
                    <span
                      className={cn(
                        "size-2 rounded-full",
                        !check.ok ? "bg-destructive" : check.degraded ? "bg-warning" : "bg-success",
                      )}
                    />
                    {name.replaceAll("_", " ")}
                  </span>
                  <span className="text-xs text-muted-foreground">{check.ok ? "OK" : "!"}</span>
                </li>
              ))}
            </ul>
            {head?.head !== undefined && (
              <p className="mt-4 text-xs text-muted-foreground">
                {t("dashboard.eventStoreHead")}: <span className="tabular-nums">{head.head}</span>
              </p>
            )}
          </CardContent>
        </Card>
      </div>
    </>
  );
}

function Stat({
  icon: Icon,
  label,
  value,
  tone,
}: {
  icon: ComponentType<{ className?: string; "aria-hidden"?: boolean }>;
  label: string;
  value: number | undefined;
  tone?: "success" | "danger";
}) {
  return (
    <Card>
      <CardContent className="flex items-center gap-4 pt-5">
        <span
          className={cn(
            "grid size-10 place-items-center rounded-lg bg-primary/10 text-primary",
            tone === "success" && "bg-success/15 text-success",
            tone === "danger" && "bg-destructive/15 text-destructive",
          )}
        >
          <Icon aria-hidden className="size-5" />
        </span>
        <div>
          <p className="text-xs text-muted-foreground">{label}</p>
          <p className="text-2xl font-semibold tabular-nums">{value ?? "—"}</p>
        </div>
      </CardContent>
    </Card>
  );
}
