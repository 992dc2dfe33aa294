// /settings/profiles: the encoding profiles (name, codec, bitrate, size, ladder) and, for admins, the
// editor to create, edit, duplicate and delete them. Saving shows the API's messages beside the fields.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Copy, Pencil, Plus, Trash2 } from "lucide-react";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { PageHeader } from "../components/PageHeader.tsx";
import { ProfileEditor } from "../components/ProfileEditor.tsx";
import { Badge } from "../components/ui/badge.tsx";
import { Button } from "../components/ui/button.tsx";
import { Card } from "../components/ui/card.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { type ApiFailure, ApiRequestError, apiFetch } from "../lib/apiFetch.ts";
import type { Profile, ProfileDetail, ProfileDocument, ProfileWrittenResponse } from "../lib/apiTypes.ts";
import { fieldIssues, newProfileDocument } from "../lib/profileDrafts.ts";
import { can, useSession } from "../lib/useSession.ts";

interface Draft {
  /** null: a profile that exists, edited under its id. */
  newId: string | null;
  id: string;
  revision: number | null;
  document: ProfileDocument;
}

function documentOf(detail: ProfileDetail): ProfileDocument {
  const { id: _id, built_in: _builtIn, revision: _revision, updated_at: _updatedAt, ...document } = detail;
  return document;
}

/** Until the list shows what was just written (the read model follows the log within moments). */
async function settled(id: string, revision: number | null) {
  for (let tries = 0; tries < 20; tries++) {
    try {
      const detail = await apiFetch<ProfileDetail>(`/v1/profiles/${id}`);
      if (revision !== null && detail.revision >= revision) return;
    } catch (error) {
      if (revision === null && error instanceof ApiRequestError && error.failure.status === 404) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export default function Profiles() {
  const { t } = useTranslation();
  const session = useSession();
  const client = useQueryClient();
  const isAdmin = can(session.data, "admin");
  const profiles = useQuery({
    queryKey: ["profiles"],
    queryFn: () => apiFetch<{ profiles: Profile[] }>("/v1/profiles"),
  });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ["profiles"] });

  const open = async (id: string, as: "edit" | "duplicate") => {
    setFailure(null);
    const detail = await apiFetch<ProfileDetail>(`/v1/profiles/${id}`);
    const document = documentOf(detail);
    setDraft(
      as === "edit"
        ? { newId: null, id, revision: detail.revision, document }
        : {
            newId: `${id}_copy`.slice(0, 64),
            id: "",
            revision: null,
            document: { ...document, name: t("profiles.copyOf", { name: document.name }) },
          },
    );
  };

  const save = useMutation({
    mutationFn: async (current: Draft) => {
      if (current.newId !== null) {
        const written = await apiFetch<ProfileWrittenResponse>("/v1/profiles", {
          method: "POST",
          body: { id: current.newId, ...current.document },
        });
        await settled(written.id, written.revision);
        return written;
      }
      const written = await apiFetch<ProfileWrittenResponse>(`/v1/profiles/${current.id}`, {
        method: "PUT",
        body: { ...current.document, ...(current.revision === null ? {} : { revision: current.revision }) },
      });
      await settled(written.id, written.revision);
      return written;
    },
    onSuccess: () => {
      setDraft(null);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async (id: string) => {
      await apiFetch(`/v1/profiles/${id}`, { method: "DELETE" });
      await settled(id, null);
    },
    onMutate: () => setFailure(null),
    onSuccess: () => void refresh(),
    onError: (error) => setFailure(error instanceof ApiRequestError ? error.failure : null),
  });

  const saveFailure = save.error instanceof ApiRequestError ? save.error.failure : null;
  const issues = saveFailure ? fieldIssues(saveFailure.details) : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft) save.mutate(draft);
  };

  if (draft !== null) {
    const title = draft.newId !== null ? t("profiles.newTitle") : t("profiles.editTitle", { id: draft.id });
    return (
      <form onSubmit={submit} noValidate>
        <PageHeader
          title={title}
          actions={
            <>
              <Button
                type="button"
                variant="outline"
                onClick={() => {
                  save.reset();
                  setDraft(null);
                }}
              >
                {t("profiles.cancel")}
              </Button>
              <Button type="submit" disabled={save.isPending}>
                {t("profiles.save")}
              </Button>
            </>
          }
        />
        {saveFailure && (
          <p role="alert" className="mb-4 text-sm text-destructive" data-testid="profile-failure">
            {saveFailure.code}: {t("profiles.invalid")}
          </p>
        )}
        <ProfileEditor
          id={draft.newId}
          onIdChange={(newId) => setDraft({ ...draft, newId })}
          document={draft.document}
          onChange={(document) => setDraft({ ...draft, document })}
          issues={issues}
        />
      </form>
    );
  }

  return (
    <>
      <PageHeader
        title={t("profiles.title")}
        actions={
          isAdmin && (
            <Button
              onClick={() => {
                save.reset();
                setDraft({ newId: "", id: "", revision: null, document: newProfileDocument() });
              }}
            >
              <Plus aria-hidden="true" />
              {t("profiles.new")}
            </Button>
          )
        }
      />
      {failure && (
        <p role="alert" className="mb-4 text-sm text-destructive">
          {failure.code}: {failure.details}
        </p>
      )}
      <Card>
        <Table>
          <thead>
            <tr>
              <TableHead>{t("profiles.name")}</TableHead>
              <TableHead>{t("profiles.codec")}</TableHead>
              <TableHead>{t("profiles.bitrate")}</TableHead>
              <TableHead>{t("profiles.resolution")}</TableHead>
              <TableHead>{t("profiles.container")}</TableHead>
              <TableHead>{t("profiles.tiers")}</TableHead>
              {isAdmin && <TableHead />}
            </tr>
          </thead>
          <tbody>
            {profiles.data?.profiles.map((profile) => (
              <tr key={profile.id} data-profile-id={profile.id}>
                <TableCell>
                  <div className="font-medium">
                    {profile.name}
                    {profile.built_in && <Badge className="ml-2">{t("profiles.builtIn")}</Badge>}
                  </div>
                  <div className="font-mono text-xs text-muted-foreground">{profile.id}</div>
                </TableCell>
                <TableCell>{profile.codec}</TableCell>
                <TableCell className="tabular-nums">{profile.bitrate_kbps} kbps</TableCell>
                <TableCell className="tabular-nums">
                  {profile.max_width}×{profile.max_height}
                </TableCell>
                <TableCell>
                  <Badge>{profile.container}</Badge>
                </TableCell>
                <TableCell className="tabular-nums" data-testid="tier-count">
                  {profile.tier_count}
                </TableCell>
                {isAdmin && (
                  <TableCell className="whitespace-nowrap text-right">
                    <Button
                      variant="ghost"
                      size="icon"
                      aria-label={t("profiles.edit", { name: profile.name })}
                      onClick={() => void open(profile.id, "edit")}
                    >
                      <Pencil aria-hidden="true" />
                    </Button>
                    <Button
                      variant="ghost"
                      size="icon"
                      aria-label={t("profiles.duplicate", { name: profile.name })}
                      onClick={() => void open(profile.id, "duplicate")}
                    >
                      <Copy aria-hidden="true" />
                    </Button>
                    <Button
                      variant="ghost"
                      size="icon"
                      aria-label={t("profiles.delete", { name: profile.name })}
                      disabled={remove.isPending}
                      onClick={() => remove.mutate(profile.id)}
                    >
                      <Trash2 aria-hidden="true" />
                    </Button>
                  </TableCell>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
    </>
  );
}
