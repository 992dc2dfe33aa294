// The dashboard's two charts over the last 24 hours: jobs per hour (submitted, completed, failed) and
// encode throughput (minutes of source video the encode tasks got through, per hour).
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { apiFetch } from "../lib/apiFetch.ts";
import type { JobStats } from "../lib/apiTypes.ts";
import { formatBytes } from "../lib/formatBytes.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { Card, CardContent, CardHeader, CardTitle } from "./ui/card.tsx";

const AXIS = { fontSize: 11, fill: "var(--muted-foreground)" };
const TOOLTIP = {
  contentStyle: {
    background: "var(--card)",
    border: "1px solid var(--border)",
    borderRadius: 6,
    fontSize: 12,
  },
  labelStyle: { color: "var(--foreground)" },
};

export function JobCharts() {
  const { t, i18n } = useTranslation();
  // under ["jobs"]: the event feed refreshes it as jobs move
  const stats = useQuery({
    queryKey: ["jobs", "stats", 24],
    queryFn: () => apiFetch<JobStats>("/v1/stats/jobs?hours=24"),
    refetchInterval: 60_000,
  });
  const rows = (stats.data?.hours ?? []).map((h) => ({
    hour: new Date(h.hour).toLocaleTimeString(i18n.language, { hour: "2-digit", minute: "2-digit" }),
    submitted: h.submitted,
    completed: h.completed,
    failed: h.failed,
    minutes: Math.round((h.media_seconds / 60) * 100) / 100,
    seconds: h.media_seconds,
    bytes: h.output_bytes,
  }));
  const totals = rows.reduce(
    (sum, r) => ({
      jobs: sum.jobs + r.submitted,
      seconds: sum.seconds + r.seconds,
      bytes: sum.bytes + r.bytes,
    }),
    { jobs: 0, seconds: 0, bytes: 0 },
  );

  return (
    <div className="mt-6 grid gap-6 lg:grid-cols-2" data-testid="job-charts">
      <Card>
        <CardHeader>
          <CardTitle id="chart-jobs">{t("dashboard.jobsPerHour")}</CardTitle>
          <span className="text-xs text-muted-foreground tabular-nums" data-testid="jobs-24h">
            {t("dashboard.jobs24h", { n: totals.jobs })}
          </span>
        </CardHeader>
        <CardContent>
          <figure aria-labelledby="chart-jobs" className="h-56">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
                <XAxis dataKey="hour" tick={AXIS} interval={3} />
                <YAxis allowDecimals={false} tick={AXIS} />
                <Tooltip {...TOOLTIP} cursor={{ fill: "var(--muted)" }} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Bar
                  isAnimationActive={false}
                  dataKey="submitted"
                  name={t("dashboard.submitted")}
                  fill="var(--primary)"
                />
                <Bar
                  isAnimationActive={false}
                  dataKey="completed"
                  name={t("status.completed")}
                  fill="var(--success)"
                  stackId="done"
                />
                <Bar
                  isAnimationActive={false}
                  dataKey="failed"
                  name={t("status.failed")}
                  fill="var(--destructive)"
                  stackId="done"
                />
              </BarChart>
            </ResponsiveContainer>
          </figure>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle id="chart-throughput">{t("dashboard.throughput")}</CardTitle>
          <span className="text-xs text-muted-foreground tabular-nums">
            {t("dashboard.throughput24h", {
              duration: formatDuration(totals.seconds),
              size: formatBytes(totals.bytes),
            })}
          </span>
        </CardHeader>
        <CardContent>
          <figure aria-labelledby="chart-throughput" className="h-56">
            <ResponsiveContainer width="100%" height="100%">
              <AreaChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
                <XAxis dataKey="hour" tick={AXIS} interval={3} />
                <YAxis tick={AXIS} />
                <Tooltip {...TOOLTIP} />
                <Area
                  isAnimationActive={false}
                  type="monotone"
                  dataKey="minutes"
                  name={t("dashboard.videoMinutes")}
                  stroke="var(--primary)"
                  fill="var(--primary)"
                  fillOpacity={0.2}
                />
              </AreaChart>
            </ResponsiveContainer>
          </figure>
        </CardContent>
      </Card>
    </div>
  );
}
