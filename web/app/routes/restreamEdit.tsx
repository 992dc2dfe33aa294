// Edit a restream: the form filled from the restream as read; its destinations' URLs stay as sealed
// unless typed again; saved at the revision read, so a change made meanwhile is not overwritten.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { ApiFailureAlert } from "../components/ApiFailureAlert.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { RestreamForm } from "../components/RestreamForm.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type { RestreamDetail, RestreamWrittenResponse } from "../lib/apiTypes.ts";
import { draftFromRestream, type RestreamDraft, toUpdateRestreamRequest } from "../lib/restreamDraft.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { can, useSession } from "../lib/useSession.ts";

export default function RestreamEdit() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const path = useLocalePath();
  const navigate = useNavigate();
  const session = useSession();
  const client = useQueryClient();
  // read once: a refetch must not reset what is being typed
  const restream = useQuery({
    queryKey: ["restream", id, "edit"],
    queryFn: () => apiFetch<RestreamDetail>(`/v1/restreams/${id}`),
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  const save = useMutation({
    mutationFn: ({ draft, revision }: { draft: RestreamDraft; revision: number }) =>
      apiFetch<RestreamWrittenResponse>(`/v1/restreams/${id}`, {
        method: "PUT",
        body: toUpdateRestreamRequest(draft, revision),
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["restreams"] });
      void client.invalidateQueries({ queryKey: ["restream", id] });
      navigate(path(`/restreams/${id}`));
    },
  });

  if (!can(session.data, "operator")) {
    return <p className="text-sm text-muted-foreground">{t("restreams.operatorOnly")}</p>;
  }
  if (restream.isPending) return <p className="text-sm text-muted-foreground">{t("common.loading")}</p>;
  if (!restream.data) return <ApiFailureAlert error={restream.error} />;
  const view = restream.data;
  return (
    <>
      <Link
        to={path(`/restreams/${id}`)}
        className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground"
      >
        <ArrowLeft aria-hidden className="size-4" />
        {view.title}
      </Link>
      <PageHeader title={t("restreams.edit")} />
      <p className="mb-4 max-w-3xl text-sm text-muted-foreground">{t("restreams.keptUrls")}</p>
      <RestreamForm
        initial={draftFromRestream(view, Intl.DateTimeFormat().resolvedOptions().timeZone)}
        submitLabel={t("restreams.save")}
        pending={save.isPending}
        error={save.error}
        onSubmit={(draft) => save.mutate({ draft, revision: view.revision })}
      />
    </>
  );
}
