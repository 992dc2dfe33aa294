// Create a stream: title, description, archive to VOD and, under "Advanced", a key of one's own; the
// answer shows the ingest server and the key (this once in clear) with copy and reveal, as OBS asks them.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, Radio } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiFailureAlert } from "../components/ApiFailureAlert.tsx";
import { IngestSettings } from "../components/IngestSettings.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { Button } from "../components/ui/button.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "../components/ui/card.tsx";
import { Input } from "../components/ui/input.tsx";
import { Label } from "../components/ui/label.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type { CreateStreamRequest, StreamKeyResponse } from "../lib/apiTypes.ts";
import { maskStreamKey } from "../lib/maskStreamKey.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { can, useSession } from "../lib/useSession.ts";

export default function StreamNew() {
  const { t } = useTranslation();
  const path = useLocalePath();
  const session = useSession();
  const client = useQueryClient();
  const titleId = useId();
  const descriptionId = useId();
  const archiveId = useId();
  const keyId = useId();
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [archive, setArchive] = useState(true);
  const [customKey, setCustomKey] = useState("");
  const create = useMutation({
    mutationFn: (body: CreateStreamRequest) =>
      apiFetch<StreamKeyResponse>("/v1/streams", { method: "POST", body }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["streams"] }),
  });

  if (!can(session.data, "operator")) {
    return <p className="text-sm text-muted-foreground">{t("streams.operatorOnly")}</p>;
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      title: title.trim(),
      archive_enabled: archive,
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(customKey.trim() ? { stream_key: customKey.trim() } : {}),
    });
  };
  const created = create.data;

  return (
    <>
      <Link
        to={path("/streams")}
        className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground"
      >
        <ArrowLeft aria-hidden className="size-4" />
        {t("streams.title")}
      </Link>
      <PageHeader title={t("streams.new")} />
      {created ? (
        <Card className="max-w-2xl" data-testid="stream-created" data-stream-id={created.id}>
          <CardHeader>
            <CardTitle>{t("streams.created")}</CardTitle>
          </CardHeader>
          <CardContent className="space-y-4">
            <p className="rounded-md border border-warning/40 bg-warning/10 p-3 text-sm">
              {t("streams.keyShownOnce")}
            </p>
            <IngestSettings
              urls={created.ingest_urls}
              revealed={created}
              keyHint={maskStreamKey(created.stream_key)}
            />
            <Button asChild>
              <Link to={path(`/streams/${created.id}`)}>
                <Radio aria-hidden />
                {t("streams.openStudio")}
              </Link>
            </Button>
          </CardContent>
        </Card>
      ) : (
        <Card className="max-w-2xl">
          <CardContent className="pt-5">
            <form onSubmit={submit} className="space-y-4">
              <div className="space-y-2">
                <Label htmlFor={titleId}>{t("streams.name")}</Label>
                <Input
                  id={titleId}
                  required
                  maxLength={200}
                  value={title}
                  placeholder={t("streams.titlePlaceholder")}
                  onChange={(event) => setTitle(event.target.value)}
                />
              </div>
              <div className="space-y-2">
                <Label htmlFor={descriptionId}>{t("streams.description")}</Label>
                <textarea
                  id={descriptionId}
                  rows={3}
                  maxLength={5000}
                  value={description}
                  onChange={(event) => setDescription(event.target.value)}
                  className="w-full rounded-md border border-border bg-card px-3 py-2 text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-primary"
                />
              </div>
              <div className="flex items-start gap-2">
                <input
                  id={archiveId}
                  type="checkbox"
                  className="mt-1"
                  checked={archive}
                  onChange={(event) => setArchive(event.target.checked)}
                />
                <div>
                  <Label htmlFor={archiveId}>{t("streams.archiveEnabled")}</Label>
                  <p className="text-xs text-muted-foreground">{t("streams.archiveHint")}</p>
                </div>
              </div>
              <details className="rounded-md border border-border p-3">
                <summary className="cursor-pointer text-sm font-medium">{t("streams.advanced")}</summary>
                <div className="mt-3 space-y-2">
                  <Label htmlFor={keyId}>{t("streams.customKey")}</Label>
                  <Input
                    id={keyId}
                    autoComplete="off"
                    spellCheck={false}
                    pattern="[A-Za-z0-9_\-]{16,64}"
                    value={customKey}
                    onChange={(event) => setCustomKey(event.target.value)}
                    className="font-mono"
                  />
                  <p className="text-xs text-muted-foreground">{t("streams.customKeyHint")}</p>
                </div>
              </details>
              <ApiFailureAlert error={create.error} />
              <Button type="submit" disabled={create.isPending || title.trim() === ""}>
                {t("streams.create")}
              </Button>
            </form>
          </CardContent>
        </Card>
      )}
    </>
  );
}
