import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Plus, Search } from "lucide-react";
import { useEffect, useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { JobActions } from "../components/JobActions.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { Button } from "../components/ui/button.tsx";
import { Card } from "../components/ui/card.tsx";
import { Input, NativeSelect } from "../components/ui/input.tsx";
import { Label } from "../components/ui/label.tsx";
import { Progress } from "../components/ui/progress.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type { JobList } from "../lib/apiTypes.ts";
import { atFeedPosition } from "../lib/feedPosition.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { sourceName } from "../lib/sourceName.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { can, useSession } from "../lib/useSession.ts";

const STATUSES = ["queued", "processing", "stitching", "uploading", "completed", "failed", "cancelled"];
const SOURCE_TYPES = ["upload", "url", "stream", "restream"];
const SORTS = ["-created_at", "created_at", "status", "-status", "-progress", "progress"];

/** A day picked on the page (`YYYY-MM-DD`, the browser's own time zone) as the instant it starts. */
const startOfDay = (day: string, plusDays = 0): string | null => {
  const [year, month, date] = day.split("-").map(Number);
  if (!year || !month || !date) return null;
  return new Date(year, month - 1, date + plusDays).toISOString();
};
const PAGE_SIZE = 20;

export default function Jobs() {
  const { t, i18n } = useTranslation();
  const path = useLocalePath();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "";
  const offset = Number(params.get("offset") ?? 0) || 0;
  const search = params.get("q") ?? "";
  const sourceType = params.get("source_type") ?? "";
  const fromDay = params.get("from") ?? "";
  const toDay = params.get("to") ?? "";
  const sort = params.get("sort") ?? "";
  const [typed, setTyped] = useState(search);
  const fromId = useId();
  const toId = useId();
  const query = useMemo(() => {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
    if (status) q.set("status", status);
    if (search.trim()) q.set("q", search.trim());
    if (sourceType) q.set("source_type", sourceType);
    if (sort && SORTS.includes(sort)) q.set("sort", sort);
    // the page's days are whole days: from its first instant up to the first instant of the next
    const from = fromDay ? startOfDay(fromDay) : null;
    const to = toDay ? startOfDay(toDay, 1) : null;
    if (from) q.set("from", from);
    if (to) q.set("to", to);
    return q.toString();
  }, [status, search, sourceType, fromDay, toDay, sort, offset]);
  const jobs = useQuery({
    queryKey: ["jobs", query],
    queryFn: () => apiFetch<JobList>(atFeedPosition(`/v1/jobs?${query}`)),
    placeholderData: keepPreviousData,
  });
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  // one request per pause in typing, not per key
  useEffect(() => {
    if (typed === search) return;
    const timer = setTimeout(() => update({ q: typed, offset: "" }), 300);
    return () => clearTimeout(timer);
  });
  const total = jobs.data?.pagination.total ?? 0;
  const dateFormat = new Intl.DateTimeFormat(i18n.language, { dateStyle: "short", timeStyle: "short" });

  return (
    <>
      <PageHeader
        title={t("jobs.title")}
        actions={
          can(session.data, "operator") && (
            <Button asChild>
              <Link to={path("/jobs/new")}>
                <Plus aria-hidden />
                {t("jobs.new")}
              </Link>
            </Button>
          )
        }
      />
      <Card>
        <div className="flex flex-wrap items-center gap-3 border-b border-border p-4">
          <div className="relative min-w-64 flex-1">
            <Search aria-hidden className="absolute top-2.5 left-3 size-4 text-muted-foreground" />
            <Input
              type="search"
              aria-label={t("jobs.search")}
              placeholder={t("jobs.search")}
              className="pl-9"
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
            />
          </div>
          <NativeSelect
            aria-label={t("jobs.statusFilter")}
            value={status}
            onChange={(event) => update({ status: event.target.value, offset: "" })}
          >
            <option value="">{t("jobs.allStatuses")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </NativeSelect>
          <NativeSelect
            aria-label={t("jobs.sourceTypeFilter")}
            value={sourceType}
            onChange={(event) => update({ source_type: event.target.value, offset: "" })}
          >
            <option value="">{t("jobs.allSourceTypes")}</option>
            {SOURCE_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`jobs.sourceTypes.${type}`)}
              </option>
            ))}
          </NativeSelect>
          <div className="flex items-center gap-2">
            <Label htmlFor={fromId} className="font-normal text-muted-foreground">
              {t("jobs.from")}
            </Label>
            <Input
              id={fromId}
              type="date"
              className="w-auto"
              value={fromDay}
              onChange={(event) => update({ from: event.target.value, offset: "" })}
            />
          </div>
          <div className="flex items-center gap-2">
            <Label htmlFor={toId} className="font-normal text-muted-foreground">
              {t("jobs.to")}
            </Label>
            <Input
              id={toId}
              type="date"
              className="w-auto"
              value={toDay}
              onChange={(event) => update({ to: event.target.value, offset: "" })}
            />
          </div>
          <NativeSelect
            aria-label={t("jobs.sort")}
            value={SORTS.includes(sort) ? sort : "-created_at"}
            onChange={(event) =>
              update({ sort: event.target.value === "-created_at" ? "" : event.target.value, offset: "" })
            }
          >
            {SORTS.map((key) => (
              <option key={key} value={key}>
                {t(`jobs.sorts.${key}`)}
              </option>
            ))}
          </NativeSelect>
        </div>
        <Table>
          <thead>
            <tr>
              <TableHead>{t("jobs.id")}</TableHead>
              <TableHead>{t("jobs.source")}</TableHead>
              <TableHead>{t("jobs.profile")}</TableHead>
              <TableHead>{t("jobs.status")}</TableHead>
              <TableHead className="w-48">{t("jobs.progress")}</TableHead>
              <TableHead>{t("jobs.eta")}</TableHead>
              <TableHead>{t("jobs.created")}</TableHead>
              <TableHead className="text-right">{t("jobs.actions")}</TableHead>
            </tr>
          </thead>
          <tbody>
            {jobs.data?.jobs.map((job) => (
              <tr key={job.id} data-job-id={job.id} className="hover:bg-muted/40">
                <TableCell className="font-mono text-xs">
                  <Link to={path(`/jobs/${job.id}`)} className="text-primary hover:underline">
                    {job.id.slice(0, 8)}
                  </Link>
                </TableCell>
                <TableCell className="max-w-64 truncate" title={job.source_url}>
                  {sourceName(job.source_url)}
                </TableCell>
                <TableCell>{job.profile}</TableCell>
                <TableCell>
                  <StatusBadge status={job.status} />
                </TableCell>
                <TableCell>
                  <div className="flex items-center gap-2">
                    <Progress
                      value={job.progress_pct}
                      label={`${t("jobs.progress")} ${job.id.slice(0, 8)}`}
                    />
                    <span className="w-12 whitespace-nowrap text-right text-xs tabular-nums">
                      {job.progress_pct} %
                    </span>
                  </div>
                </TableCell>
                <TableCell className="text-xs tabular-nums">{formatDuration(job.eta_seconds)}</TableCell>
                <TableCell className="whitespace-nowrap text-xs text-muted-foreground">
                  {dateFormat.format(new Date(job.created_at))}
                </TableCell>
                <TableCell>
                  <JobActions job={job} />
                </TableCell>
              </tr>
            ))}
          </tbody>
        </Table>
        {jobs.data && jobs.data.jobs.length === 0 && (
          <p className="p-8 text-center text-sm text-muted-foreground">{t("jobs.empty")}</p>
        )}
        <div className="flex items-center justify-between p-4 text-sm text-muted-foreground">
          <span>
            {total > 0 &&
              t("jobs.page", { from: offset + 1, to: Math.min(offset + PAGE_SIZE, total), total })}
          </span>
          <div className="flex gap-2">
            <Button
              variant="outline"
              size="sm"
              disabled={offset === 0}
              onClick={() => update({ offset: String(Math.max(0, offset - PAGE_SIZE)) })}
            >
              {t("jobs.previous")}
            </Button>
            <Button
              variant="outline"
              size="sm"
              disabled={offset + PAGE_SIZE >= total}
              onClick={() => update({ offset: String(offset + PAGE_SIZE) })}
            >
              {t("jobs.next")}
            </Button>
          </div>
        </div>
      </Card>
    </>
  );
}
