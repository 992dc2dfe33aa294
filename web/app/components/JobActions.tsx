import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Ban, RotateCcw, Trash2 } from "lucide-react";
import { useTranslation } from "react-i18next";
import { apiFetch } from "../lib/apiFetch.ts";
import type { Job } from "../lib/apiTypes.ts";
import { can, useSession } from "../lib/useSession.ts";
import { Button } from "./ui/button.tsx";

const ACTIVE = new Set(["queued", "processing", "stitching", "uploading"]);
const RETRYABLE = new Set(["failed", "cancelled"]);

/** Cancel, retry and delete, each drawn only where the job's state and the session's role allow it. */
export function JobActions({ job, onDeleted }: { job: Job; onDeleted?: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const client = useQueryClient();
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["jobs"] });
    void client.invalidateQueries({ queryKey: ["job", job.id] });
  };
  const cancel = useMutation({
    mutationFn: () => apiFetch(`/v1/jobs/${job.id}/cancel`, { method: "POST", body: {} }),
    onSuccess: refresh,
  });
  const retry = useMutation({
    mutationFn: () => apiFetch(`/v1/jobs/${job.id}/retry`, { method: "POST", body: {} }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => apiFetch(`/v1/jobs/${job.id}`, { method: "DELETE" }),
    onSuccess: () => {
      refresh();
      onDeleted?.();
    },
  });
  if (!can(session.data, "operator")) return null;
  const label = (action: string) => `${action} ${job.id.slice(0, 8)}`;
  return (
    <div className="flex justify-end gap-1">
      {ACTIVE.has(job.status) && (
        <Button
          variant="outline"
          size="sm"
          onClick={() => cancel.mutate()}
          disabled={cancel.isPending}
          aria-label={label(t("jobs.cancel"))}
        >
          <Ban aria-hidden />
          {t("jobs.cancel")}
        </Button>
      )}
      {RETRYABLE.has(job.status) && !job.retried_as && (
        <Button
          variant="outline"
          size="sm"
          onClick={() => retry.mutate()}
          disabled={retry.isPending}
          aria-label={label(t("jobs.retry"))}
        >
          <RotateCcw aria-hidden />
          {t("jobs.retry")}
        </Button>
      )}
      {!ACTIVE.has(job.status) && (
        <Button
          variant="ghost"
          size="sm"
          onClick={() => window.confirm(t("jobs.confirmDelete")) && remove.mutate()}
          disabled={remove.isPending}
          aria-label={label(t("jobs.delete"))}
          title={t("jobs.delete")}
        >
          <Trash2 aria-hidden className="text-destructive" />
        </Button>
      )}
    </div>
  );
}
