// Create a restream, then open its page.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { PageHeader } from "../components/PageHeader.tsx";
import { RestreamForm } from "../components/RestreamForm.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type { RestreamWrittenResponse } from "../lib/apiTypes.ts";
import { emptyRestreamDraft, type RestreamDraft, toCreateRestreamRequest } from "../lib/restreamDraft.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { can, useSession } from "../lib/useSession.ts";

export default function RestreamNew() {
  const { t } = useTranslation();
  const path = useLocalePath();
  const navigate = useNavigate();
  const session = useSession();
  const client = useQueryClient();
  const [params] = useSearchParams();
  const create = useMutation({
    mutationFn: (draft: RestreamDraft) =>
      apiFetch<RestreamWrittenResponse>("/v1/restreams", {
        method: "POST",
        body: toCreateRestreamRequest(draft),
      }),
    onSuccess: (written) => {
      void client.invalidateQueries({ queryKey: ["restreams"] });
      navigate(path(`/restreams/${written.id}`));
    },
  });

  if (!can(session.data, "operator")) {
    return <p className="text-sm text-muted-foreground">{t("restreams.operatorOnly")}</p>;
  }
  return (
    <>
      <Link
        to={path("/restreams")}
        className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground"
      >
        <ArrowLeft aria-hidden className="size-4" />
        {t("restreams.title")}
      </Link>
      <PageHeader title={t("restreams.new")} />
      <RestreamForm
        initial={{
          ...emptyRestreamDraft(Intl.DateTimeFormat().resolvedOptions().timeZone),
          streamId: params.get("stream_id") ?? "",
        }}
        submitLabel={t("restreams.create")}
        pending={create.isPending}
        error={create.error}
        onSubmit={(draft) => create.mutate(draft)}
      />
    </>
  );
}
