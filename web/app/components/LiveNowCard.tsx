// The dashboard's live streams: those on air with their viewers and uptime, each a link to its studio;
// drawn only while something is on air.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { apiFetch } from "../lib/apiFetch.ts";
import type { StreamList } from "../lib/apiTypes.ts";
import { atFeedPosition } from "../lib/feedPosition.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { partitionStreams } from "../lib/partitionStreams.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { useNow } from "../lib/useNow.ts";
import { LiveBadge } from "./LiveBadge.tsx";
import { Card, CardHeader, CardTitle } from "./ui/card.tsx";

export function LiveNowCard() {
  const { t } = useTranslation();
  const path = useLocalePath();
  const streams = useQuery({
    queryKey: ["streams"],
    queryFn: () => apiFetch<StreamList>(atFeedPosition("/v1/streams")),
  });
  const { onAir } = partitionStreams(streams.data?.streams ?? []);
  const now = useNow(onAir.length > 0);
  if (onAir.length === 0) return null;
  return (
    <Card className="mt-6" data-testid="live-now">
      <CardHeader>
        <CardTitle>{t("streams.onAir")}</CardTitle>
        <Link to={path("/streams")} className="text-sm text-primary hover:underline">
          {t("dashboard.viewAll")}
        </Link>
      </CardHeader>
      <ul className="divide-y divide-border">
        {onAir.map((stream) => (
          <li key={stream.id} className="flex items-center gap-3 px-5 py-3 text-sm">
            <LiveBadge status={stream.status} />
            <Link to={path(`/streams/${stream.id}`)} className="font-medium text-primary hover:underline">
              {stream.title}
            </Link>
            <span className="ml-auto text-xs text-muted-foreground tabular-nums">
              {stream.viewers !== null && `${t("streams.viewers")}: ${stream.viewers} · `}
              {stream.started_at ? formatDuration((now - Date.parse(stream.started_at)) / 1000) : "—"}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
