import { useTranslation } from "react-i18next";
import type { StreamStats } from "../lib/apiTypes.ts";
import { Badge, type BadgeTone } from "./ui/badge.tsx";

const LOOK: Record<StreamStats["health"]["verdict"], { tone: BadgeTone; mark: string }> = {
  excellent: { tone: "success", mark: "✓" },
  degraded: { tone: "warning", mark: "⚠" },
  poor: { tone: "danger", mark: "✗" },
  offline: { tone: "neutral", mark: "–" },
};

/** The stream's network health in words and a mark, not by colour alone, with the reason the API gave. */
export function HealthVerdict({ health }: { health: StreamStats["health"] }) {
  const { t } = useTranslation();
  const look = LOOK[health.verdict];
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="health" data-verdict={health.verdict}>
      <Badge tone={look.tone} className="text-sm">
        <span aria-hidden className="mr-1">
          {look.mark}
        </span>
        {t(`live.health.${health.verdict}`)}
      </Badge>
      {health.reason && <span className="text-xs text-muted-foreground">{health.reason}</span>}
    </div>
  );
}
