import { useTranslation } from "react-i18next";
import { Badge, type BadgeTone } from "./ui/badge.tsx";

const TONES: Record<string, BadgeTone> = {
  queued: "neutral",
  scheduled: "neutral",
  pending: "neutral",
  processing: "info",
  running: "info",
  stitching: "info",
  uploading: "info",
  completed: "success",
  online: "success",
  failed: "danger",
  cancelled: "warning",
  draining: "warning",
  degraded: "warning",
  offline: "neutral",
  stopped: "neutral",
  lost: "danger",
  quarantined: "danger",
  streaming: "success",
  error: "danger",
};

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Badge tone={TONES[status] ?? "neutral"} data-status={status}>
      {t(`status.${status}`, { defaultValue: status })}
    </Badge>
  );
}
