import { useTranslation } from "react-i18next";
import type { StreamSummary } from "../lib/apiTypes.ts";
import { cn } from "./ui/cn.ts";

/** LIVE in red with a beating dot, reconnecting in amber, else offline: a stream's state at a glance. */
export function LiveBadge({ status, className }: { status: StreamSummary["status"]; className?: string }) {
  const { t } = useTranslation();
  return (
    <span
      data-testid="live-badge"
      data-status={status}
      className={cn(
        "inline-flex items-center gap-1.5 rounded px-2 py-0.5 text-xs font-bold tracking-wide uppercase",
        status === "live" && "bg-red-600 text-white",
        status === "reconnecting" && "bg-warning/20 text-warning",
        status === "idle" && "bg-muted text-muted-foreground",
        className,
      )}
    >
      <span
        aria-hidden
        className={cn(
          "size-2 rounded-full",
          status === "live" && "animate-pulse bg-white",
          status === "reconnecting" && "animate-pulse bg-warning",
          status === "idle" && "bg-muted-foreground/50",
        )}
      />
      {t(`live.states.${status}`)}
    </span>
  );
}
