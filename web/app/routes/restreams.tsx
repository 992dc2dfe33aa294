// The restreams: one input sent to several platforms, each with its state, input, schedule and how many
// of its destinations are live; start, stop and delete from the list.
import { useQuery } from "@tanstack/react-query";
import { Plus, Share2 } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { ApiFailureAlert } from "../components/ApiFailureAlert.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { RestreamActions } from "../components/RestreamActions.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { Button } from "../components/ui/button.tsx";
import { Card } from "../components/ui/card.tsx";
import { NativeSelect } from "../components/ui/input.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type { RestreamList } from "../lib/apiTypes.ts";
import { atFeedPosition } from "../lib/feedPosition.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { can, useSession } from "../lib/useSession.ts";

const STATUSES = ["streaming", "stopped", "error"] as const;

export default function Restreams() {
  const { t, i18n } = useTranslation();
  const path = useLocalePath();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "";
  const restreams = useQuery({
    queryKey: ["restreams", status],
    queryFn: () =>
      apiFetch<RestreamList>(atFeedPosition(`/v1/restreams${status ? `?status=${status}` : ""}`)),
    refetchInterval: 5_000,
  });
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "short", timeStyle: "short" });
  const operator = can(session.data, "operator");

  return (
    <>
      <PageHeader
        title={t("restreams.title")}
        actions={
          operator && (
            <Button asChild>
              <Link to={path("/restreams/new")}>
                <Plus aria-hidden />
                {t("restreams.new")}
              </Link>
            </Button>
          )
        }
      />
      <ApiFailureAlert error={restreams.error} />
      <Card>
        <div className="flex flex-wrap items-center gap-3 border-b border-border p-4">
          <NativeSelect
            aria-label={t("restreams.statusFilter")}
            value={status}
            onChange={(event) => {
              const next = new URLSearchParams(params);
              if (event.target.value) next.set("status", event.target.value);
              else next.delete("status");
              setParams(next, { replace: true });
            }}
          >
            <option value="">{t("restreams.allStatuses")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </NativeSelect>
        </div>
        {restreams.data && restreams.data.restreams.length === 0 ? (
          <div className="grid place-items-center gap-3 p-10 text-center" data-testid="restreams-empty">
            <Share2 aria-hidden className="size-8 text-muted-foreground" />
            <p className="font-medium">{status ? t("restreams.noneWithStatus") : t("restreams.empty")}</p>
            {!status && <p className="max-w-md text-sm text-muted-foreground">{t("restreams.emptyHint")}</p>}
          </div>
        ) : (
          <Table>
            <thead>
              <tr>
                <TableHead>{t("restreams.name")}</TableHead>
                <TableHead>{t("restreams.status")}</TableHead>
                <TableHead>{t("restreams.input")}</TableHead>
                <TableHead>{t("restreams.schedule")}</TableHead>
                <TableHead>{t("restreams.destinationsLive")}</TableHead>
                <TableHead>{t("restreams.created")}</TableHead>
                <TableHead className="text-right">{t("restreams.actions")}</TableHead>
              </tr>
            </thead>
            <tbody>
              {restreams.data?.restreams.map((restream) => (
                <tr key={restream.id} data-restream-id={restream.id} className="hover:bg-muted/40">
                  <TableCell>
                    <Link
                      to={path(`/restreams/${restream.id}`)}
                      className="font-medium text-primary hover:underline"
                    >
                      {restream.title}
                    </Link>
                  </TableCell>
                  <TableCell>
                    <StatusBadge status={restream.status} />
                  </TableCell>
                  <TableCell className="text-xs">{t(`restreams.inputs.${restream.input_type}`)}</TableCell>
                  <TableCell className="text-xs">
                    {t(`restreams.schedules.${restream.schedule_type}`)}
                  </TableCell>
                  <TableCell className="tabular-nums">
                    {restream.live_destinations} / {restream.destination_count}
                  </TableCell>
                  <TableCell className="whitespace-nowrap text-xs text-muted-foreground">
                    {date.format(new Date(restream.created_at))}
                  </TableCell>
                  <TableCell>
                    <RestreamActions restream={restream} />
                  </TableCell>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
