import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Search } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import type { ListErrorsResponse } from "../../../schemas/api/errorReportResponses.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { Badge, type BadgeTone } from "../components/ui/badge.tsx";
import { Button } from "../components/ui/button.tsx";
import { Card } from "../components/ui/card.tsx";
import { Input, NativeSelect } from "../components/ui/input.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import { atFeedPosition } from "../lib/feedPosition.ts";
import { can, useSession } from "../lib/useSession.ts";

const SEVERITIES = ["warning", "error", "critical", "fatal"] as const;
const SOURCES = ["frontend", "kernel", "worker"] as const;
const TONES: Record<string, BadgeTone> = {
  warning: "warning",
  error: "danger",
  critical: "danger",
  fatal: "danger",
};
const PAGE_SIZE = 20;

export default function Errors() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const severity = params.get("severity") ?? "";
  const source = params.get("source") ?? "";
  // open errors first: what needs attention
  const resolved = params.get("resolved") ?? "false";
  const search = params.get("q") ?? "";
  const offset = Number(params.get("offset") ?? 0) || 0;
  const [typed, setTyped] = useState(search);
  const query = useMemo(() => {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
    if (severity) q.set("severity", severity);
    if (source) q.set("source", source);
    if (resolved !== "all") q.set("resolved", resolved);
    if (search.trim()) q.set("q", search.trim());
    return q.toString();
  }, [severity, source, resolved, search, offset]);
  const errors = useQuery({
    queryKey: ["errors", query],
    queryFn: () => apiFetch<ListErrorsResponse>(atFeedPosition(`/v1/errors?${query}`)),
    placeholderData: keepPreviousData,
  });
  const resolve = useMutation({
    mutationFn: (id: string) => apiFetch(`/v1/errors/${id}/resolve`, { method: "POST" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["errors"] }),
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
  const mayResolve = can(session.data, "operator");
  const total = errors.data?.pagination.total ?? 0;
  const dateFormat = new Intl.DateTimeFormat(i18n.language, { dateStyle: "short", timeStyle: "medium" });

  return (
    <>
      <PageHeader title={t("errors.title")} />
      <Card>
        <div className="flex flex-wrap items-center gap-3 border-b border-border p-4">
          <div className="relative min-w-64 flex-1">
            <Search aria-hidden className="absolute top-2.5 left-3 size-4 text-muted-foreground" />
            <Input
              type="search"
              aria-label={t("errors.search")}
              placeholder={t("errors.search")}
              className="pl-9"
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
            />
          </div>
          <NativeSelect
            aria-label={t("errors.severity")}
            value={severity}
            onChange={(event) => update({ severity: event.target.value, offset: "" })}
          >
            <option value="">{t("errors.allSeverities")}</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {t(`errors.severities.${s}`)}
              </option>
            ))}
          </NativeSelect>
          <NativeSelect
            aria-label={t("errors.source")}
            value={source}
            onChange={(event) => update({ source: event.target.value, offset: "" })}
          >
            <option value="">{t("errors.allSources")}</option>
            {SOURCES.map((s) => (
              <option key={s} value={s}>
                {t(`errors.sources.${s}`)}
              </option>
            ))}
          </NativeSelect>
          <NativeSelect
            aria-label={t("errors.state")}
            value={resolved}
            onChange={(event) => update({ resolved: event.target.value, offset: "" })}
          >
            <option value="false">{t("errors.open")}</option>
            <option value="true">{t("errors.resolved")}</option>
            <option value="all">{t("errors.all")}</option>
          </NativeSelect>
        </div>
        <Table>
          <thead>
            <tr>
              <TableHead>{t("errors.severity")}</TableHead>
              <TableHead>{t("errors.source")}</TableHead>
              <TableHead>{t("errors.message")}</TableHead>
              <TableHead>{t("errors.created")}</TableHead>
              <TableHead>{t("errors.state")}</TableHead>
              {mayResolve && <TableHead className="text-right">{t("errors.actions")}</TableHead>}
            </tr>
          </thead>
          <tbody>
            {errors.data?.errors.map((error) => (
              <tr key={error.id} data-error-id={error.id} className="align-top hover:bg-muted/40">
                <TableCell>
                  <Badge tone={TONES[error.severity] ?? "neutral"}>
                    {t(`errors.severities.${error.severity}`)}
                  </Badge>
                </TableCell>
                <TableCell className="whitespace-nowrap text-xs">
                  {t(`errors.sources.${error.source_component}`, { defaultValue: error.source_component })}
                </TableCell>
                <TableCell className="max-w-xl">
                  <p className="break-words font-medium">{error.message}</p>
                  {typeof error.context_data.url === "string" && (
                    <p className="mt-0.5 text-xs text-muted-foreground">{error.context_data.url}</p>
                  )}
                  {error.stack_trace && (
                    <details className="mt-1 text-xs">
                      <summary className="cursor-pointer text-muted-foreground">
                        {t("errors.stackTrace")}
                      </summary>
                      <pre className="mt-1 max-h-64 overflow-auto rounded bg-muted p-2 whitespace-pre-wrap">
                        {error.stack_trace}
                      </pre>
                    </details>
                  )}
                </TableCell>
                <TableCell className="whitespace-nowrap text-xs text-muted-foreground">
                  {dateFormat.format(new Date(error.created_at))}
                </TableCell>
                <TableCell>
                  {error.resolved ? (
                    <Badge tone="success" data-state="resolved">
                      {t("errors.resolved")}
                    </Badge>
                  ) : (
                    <Badge tone="neutral" data-state="open">
                      {t("errors.open")}
                    </Badge>
                  )}
                </TableCell>
                {mayResolve && (
                  <TableCell className="text-right">
                    {!error.resolved && (
                      <Button
                        variant="outline"
                        size="sm"
                        aria-label={t("errors.resolveOne", { message: error.message.slice(0, 60) })}
                        disabled={resolve.isPending}
                        onClick={() => resolve.mutate(error.id)}
                      >
                        {t("errors.resolve")}
                      </Button>
                    )}
                  </TableCell>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
        {errors.data && errors.data.errors.length === 0 && (
          <p className="p-8 text-center text-sm text-muted-foreground">{t("errors.empty")}</p>
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
