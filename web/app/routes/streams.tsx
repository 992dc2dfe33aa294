// The streams: those on air at the top (live, or waiting for their publisher to come back), the others
// below, each with its state, viewers and how long it has been on.
import { useQuery } from "@tanstack/react-query";
import { Plus, Radio } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiFailureAlert } from "../components/ApiFailureAlert.tsx";
import { LiveBadge } from "../components/LiveBadge.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { Button } from "../components/ui/button.tsx";
import { Card, CardHeader, CardTitle } from "../components/ui/card.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type { StreamList, StreamSummary } from "../lib/apiTypes.ts";
import { atFeedPosition } from "../lib/feedPosition.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { partitionStreams } from "../lib/partitionStreams.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { useNow } from "../lib/useNow.ts";
import { can, useSession } from "../lib/useSession.ts";

export default function Streams() {
  const { t } = useTranslation();
  const path = useLocalePath();
  const session = useSession();
  const streams = useQuery({
    queryKey: ["streams"],
    queryFn: () => apiFetch<StreamList>(atFeedPosition("/v1/streams")),
  });
  const { onAir, past } = partitionStreams(streams.data?.streams ?? []);
  const now = useNow(onAir.length > 0);
  const operator = can(session.data, "operator");

  return (
    <>
      <PageHeader
        title={t("streams.title")}
        actions={
          operator && (
            <Button asChild>
              <Link to={path("/streams/new")}>
                <Plus aria-hidden />
                {t("streams.new")}
              </Link>
            </Button>
          )
        }
      />
      <ApiFailureAlert error={streams.error} />
      {streams.data && streams.data.streams.length === 0 && (
        <Card className="grid place-items-center gap-3 p-10 text-center" data-testid="streams-empty">
          <Radio aria-hidden className="size-8 text-muted-foreground" />
          <p className="font-medium">{t("streams.empty")}</p>
          <p className="max-w-md text-sm text-muted-foreground">{t("streams.emptyHint")}</p>
          {operator && (
            <Button asChild>
              <Link to={path("/streams/new")}>{t("streams.new")}</Link>
            </Button>
          )}
        </Card>
      )}
      {streams.data && streams.data.streams.length > 0 && (
        <div className="space-y-6">
          <StreamTable
            title={t("streams.onAir")}
            empty={t("streams.noneOnAir")}
            streams={onAir}
            now={now}
            testId="streams-on-air"
          />
          <StreamTable
            title={t("streams.past")}
            empty={t("streams.nonePast")}
            streams={past}
            now={now}
            testId="streams-past"
          />
        </div>
      )}
    </>
  );
}

function StreamTable({
  title,
  empty,
  streams,
  now,
  testId,
}: {
  title: string;
  empty: string;
  streams: StreamSummary[];
  now: number;
  testId: string;
}) {
  const { t, i18n } = useTranslation();
  const path = useLocalePath();
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "short", timeStyle: "short" });
  return (
    <Card data-testid={testId}>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        <span className="text-xs text-muted-foreground tabular-nums">{streams.length}</span>
      </CardHeader>
      {streams.length === 0 ? (
        <p className="px-5 pb-5 text-sm text-muted-foreground">{empty}</p>
      ) : (
        <Table>
          <thead>
            <tr>
              <TableHead>{t("streams.name")}</TableHead>
              <TableHead>{t("streams.status")}</TableHead>
              <TableHead>{t("streams.viewers")}</TableHead>
              <TableHead>{t("streams.duration")}</TableHead>
              <TableHead>{t("streams.sessions")}</TableHead>
              <TableHead>{t("streams.archive")}</TableHead>
              <TableHead>{t("streams.lastActivity")}</TableHead>
            </tr>
          </thead>
          <tbody>
            {streams.map((stream) => (
              <tr key={stream.id} data-stream-id={stream.id} className="hover:bg-muted/40">
                <TableCell className="max-w-72">
                  <Link
                    to={path(`/streams/${stream.id}`)}
                    className="font-medium text-primary hover:underline"
                  >
                    {stream.title}
                  </Link>
                  {stream.description && (
                    <p className="truncate text-xs text-muted-foreground" title={stream.description}>
                      {stream.description}
                    </p>
                  )}
                </TableCell>
                <TableCell>
                  <LiveBadge status={stream.status} />
                </TableCell>
                <TableCell className="tabular-nums">{stream.viewers ?? "—"}</TableCell>
                <TableCell className="tabular-nums">
                  {stream.started_at ? formatDuration((now - Date.parse(stream.started_at)) / 1000) : "—"}
                </TableCell>
                <TableCell className="tabular-nums">{stream.session_count}</TableCell>
                <TableCell className="text-xs">
                  {stream.archive_enabled ? t("common.yes") : t("common.no")}
                </TableCell>
                <TableCell className="whitespace-nowrap text-xs text-muted-foreground">
                  {date.format(new Date(stream.last_activity_at))}
                </TableCell>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
