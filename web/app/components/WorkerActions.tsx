import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CirclePause, CirclePlay, ShieldCheck, Trash2 } from "lucide-react";
import { useTranslation } from "react-i18next";
import { apiFetch } from "../lib/apiFetch.ts";
import type { Worker, WorkerStateResponse } from "../lib/apiTypes.ts";
import { can, useSession } from "../lib/useSession.ts";
import { Button } from "./ui/button.tsx";

/**
 * Drain, undrain, lift a quarantine and remove, for admins only: an online worker can be drained or taken
 * back, a quarantined one released, and only one that no longer runs can be removed (the API refuses the
 * rest, so the buttons are not drawn).
 */
export function WorkerActions({ worker, onRemoved }: { worker: Worker; onRemoved?: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const client = useQueryClient();
  const command = useMutation({
    mutationFn: (action: "drain" | "undrain" | "unquarantine" | "remove") =>
      action === "remove"
        ? apiFetch<WorkerStateResponse>(`/v1/workers/${encodeURIComponent(worker.id)}`, { method: "DELETE" })
        : apiFetch<WorkerStateResponse>(`/v1/workers/${encodeURIComponent(worker.id)}/${action}`, {
            method: "POST",
            body: {},
          }),
    onSuccess: (_state, action) => {
      // the list and this worker's page both live under ["workers"]
      void client.invalidateQueries({ queryKey: ["workers"] });
      if (action === "remove") onRemoved?.();
    },
  });
  if (!can(session.data, "admin")) return null;
  return (
    <div className="flex items-center justify-end gap-1">
      {worker.status === "online" && !worker.draining && (
        <Button
          variant="outline"
          size="sm"
          onClick={() => command.mutate("drain")}
          disabled={command.isPending}
          aria-label={`${t("workers.drain")} ${worker.id}`}
        >
          <CirclePause aria-hidden />
          {t("workers.drain")}
        </Button>
      )}
      {worker.status === "online" && worker.draining && (
        <Button
          variant="outline"
          size="sm"
          onClick={() => command.mutate("undrain")}
          disabled={command.isPending}
          aria-label={`${t("workers.undrain")} ${worker.id}`}
        >
          <CirclePlay aria-hidden />
          {t("workers.undrain")}
        </Button>
      )}
      {worker.quarantined !== null && (
        <Button
          variant="outline"
          size="sm"
          onClick={() => command.mutate("unquarantine")}
          disabled={command.isPending}
          aria-label={`${t("workers.unquarantine")} ${worker.id}`}
        >
          <ShieldCheck aria-hidden />
          {t("workers.unquarantine")}
        </Button>
      )}
      {worker.status !== "online" && (
        <Button
          variant="ghost"
          size="sm"
          onClick={() => window.confirm(t("workers.confirmRemove")) && command.mutate("remove")}
          disabled={command.isPending}
          aria-label={`${t("workers.remove")} ${worker.id}`}
          title={t("workers.remove")}
        >
          <Trash2 aria-hidden className="text-destructive" />
        </Button>
      )}
      {command.error && (
        <span role="alert" className="text-xs text-destructive">
          {command.error.message}
        </span>
      )}
    </div>
  );
}
