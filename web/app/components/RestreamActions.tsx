import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Pencil, Play, Square, Trash2 } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { apiFetch } from "../lib/apiFetch.ts";
import type { RestreamSummary } from "../lib/apiTypes.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { can, useSession } from "../lib/useSession.ts";
import { ApiFailureAlert } from "./ApiFailureAlert.tsx";
import { Button } from "./ui/button.tsx";

/** Start, stop and delete, drawn for operators only and as the restream's state allows. */
export function RestreamActions({
  restream,
  onDeleted,
}: {
  restream: Pick<RestreamSummary, "id" | "title" | "status">;
  onDeleted?: () => void;
}) {
  const { t } = useTranslation();
  const session = useSession();
  const path = useLocalePath();
  const client = useQueryClient();
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["restreams"] });
    void client.invalidateQueries({ queryKey: ["restream", restream.id] });
  };
  const start = useMutation({
    mutationFn: () => apiFetch(`/v1/restreams/${restream.id}/start`, { method: "POST" }),
    onSuccess: refresh,
  });
  const stop = useMutation({
    mutationFn: () => apiFetch(`/v1/restreams/${restream.id}/stop`, { method: "POST" }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => apiFetch(`/v1/restreams/${restream.id}`, { method: "DELETE" }),
    onSuccess: () => {
      refresh();
      onDeleted?.();
    },
  });
  if (!can(session.data, "operator")) return null;
  const streaming = restream.status === "streaming";
  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex justify-end gap-1">
        {streaming ? (
          <Button
            variant="outline"
            size="sm"
            onClick={() => stop.mutate()}
            disabled={stop.isPending}
            aria-label={`${t("restreams.stop")} ${restream.title}`}
          >
            <Square aria-hidden />
            {t("restreams.stop")}
          </Button>
        ) : (
          <Button
            variant="outline"
            size="sm"
            onClick={() => start.mutate()}
            disabled={start.isPending}
            aria-label={`${t("restreams.start")} ${restream.title}`}
          >
            <Play aria-hidden />
            {t("restreams.start")}
          </Button>
        )}
        <Button asChild variant="ghost" size="sm" title={t("restreams.edit")}>
          <Link
            to={path(`/restreams/${restream.id}/edit`)}
            aria-label={`${t("restreams.edit")} ${restream.title}`}
          >
            <Pencil aria-hidden />
          </Link>
        </Button>
        <Button
          variant="ghost"
          size="sm"
          onClick={() => window.confirm(t("restreams.confirmDelete")) && remove.mutate()}
          disabled={remove.isPending}
          aria-label={`${t("restreams.delete")} ${restream.title}`}
          title={t("restreams.delete")}
        >
          <Trash2 aria-hidden className="text-destructive" />
        </Button>
      </div>
      <ApiFailureAlert error={start.error ?? stop.error ?? remove.error} />
    </div>
  );
}
