// A restream's destinations: platform, masked URL, on or off, state, and the figures of each
// (bitrate, keyframe skips of a destination that fell behind, uptime, errors and the last of them).
import { useTranslation } from "react-i18next";
import type { RestreamDestinationView } from "../lib/apiTypes.ts";
import { formatBitrate } from "../lib/formatBitrate.ts";
import { formatDuration } from "../lib/formatDuration.ts";
import { Badge, type BadgeTone } from "./ui/badge.tsx";
import { Table, TableCell, TableHead } from "./ui/table.tsx";

const TONES: Record<RestreamDestinationView["status"], BadgeTone> = {
  idle: "neutral",
  connecting: "info",
  live: "success",
  errored: "danger",
};

export function RestreamDestinations({ destinations }: { destinations: readonly RestreamDestinationView[] }) {
  const { t } = useTranslation();
  return (
    <Table>
      <thead>
        <tr>
          <TableHead>{t("restreams.platform")}</TableHead>
          <TableHead>{t("restreams.url")}</TableHead>
          <TableHead>{t("restreams.enabled")}</TableHead>
          <TableHead>{t("restreams.state")}</TableHead>
          <TableHead>{t("live.bitrate")}</TableHead>
          <TableHead title={t("restreams.skipsHint")}>{t("restreams.skips")}</TableHead>
          <TableHead>{t("live.uptime")}</TableHead>
          <TableHead>{t("restreams.errors")}</TableHead>
          <TableHead>{t("restreams.lastError")}</TableHead>
        </tr>
      </thead>
      <tbody>
        {destinations.map((destination) => (
          <tr key={destination.id} data-destination-id={destination.id} data-state={destination.status}>
            <TableCell>
              {t(`restreams.platforms.${destination.platform}`)}
              {destination.transcode === null ? null : (
                <div className="text-xs text-muted-foreground" data-figure="reencode">
                  {t("restreams.reencodedAt", { kbps: destination.transcode.video_bitrate_kbps })}
                </div>
              )}
            </TableCell>
            <TableCell className="max-w-72 truncate font-mono text-xs" title={destination.url}>
              {destination.url}
            </TableCell>
            <TableCell className="text-xs">
              {destination.enabled ? t("common.yes") : t("common.no")}
            </TableCell>
            <TableCell>
              <Badge tone={TONES[destination.status]}>{t(`restreams.states.${destination.status}`)}</Badge>
            </TableCell>
            <TableCell className="tabular-nums">{formatBitrate(destination.bitrate_kbps)}</TableCell>
            <TableCell className="tabular-nums" data-figure="skips">
              {destination.skips ?? "—"}
            </TableCell>
            <TableCell className="tabular-nums">{formatDuration(destination.uptime_seconds)}</TableCell>
            <TableCell className="tabular-nums">{destination.error_count}</TableCell>
            <TableCell
              className={
                destination.last_error
                  ? "max-w-64 truncate text-xs text-destructive"
                  : "text-xs text-muted-foreground"
              }
              title={destination.last_error ?? ""}
            >
              {destination.last_error ?? "—"}
            </TableCell>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
