import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { apiFetch } from "../lib/apiFetch.ts";
import type { StreamDetail, UpdateStreamRequest } from "../lib/apiTypes.ts";
import { ApiFailureAlert } from "./ApiFailureAlert.tsx";
import { Button } from "./ui/button.tsx";
import { Input } from "./ui/input.tsx";
import { Label } from "./ui/label.tsx";

/** A stream's title and description, which may change while it is live. */
export function StreamSettingsForm({ stream, onDone }: { stream: StreamDetail; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const titleId = useId();
  const descriptionId = useId();
  const [title, setTitle] = useState(stream.title);
  const [description, setDescription] = useState(stream.description);
  const save = useMutation({
    mutationFn: (body: UpdateStreamRequest) => apiFetch(`/v1/streams/${stream.id}`, { method: "PUT", body }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["stream", stream.id] });
      void client.invalidateQueries({ queryKey: ["streams"] });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ title: title.trim(), description: description.trim() });
  };
  return (
    <form onSubmit={submit} className="space-y-3" data-testid="stream-settings">
      <div className="space-y-2">
        <Label htmlFor={titleId}>{t("streams.name")}</Label>
        <Input
          id={titleId}
          required
          maxLength={200}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
      </div>
      <div className="space-y-2">
        <Label htmlFor={descriptionId}>{t("streams.description")}</Label>
        <textarea
          id={descriptionId}
          rows={2}
          maxLength={5000}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          className="w-full rounded-md border border-border bg-card px-3 py-2 text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-primary"
        />
      </div>
      <ApiFailureAlert error={save.error} />
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending || title.trim() === ""}>
          {t("live.saveSettings")}
        </Button>
        <Button type="button" variant="outline" onClick={onDone}>
          {t("live.cancel")}
        </Button>
      </div>
    </form>
  );
}
