import { useMutation, useQuery } from "@tanstack/react-query";
import { ChevronRight, File, FileVideo, Folder, Play, Upload } from "lucide-react";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import type { BrowseResponse, StorageRootsResponse } from "../../../schemas/api/fileRequests.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { Button } from "../components/ui/button.tsx";
import { Card } from "../components/ui/card.tsx";
import { Input, NativeSelect } from "../components/ui/input.tsx";
import { Progress } from "../components/ui/progress.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { ApiRequestError, apiFetch } from "../lib/apiFetch.ts";
import { formatBytes } from "../lib/formatBytes.ts";
import { uploadFile } from "../lib/uploadFile.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { can, useSession } from "../lib/useSession.ts";

/** The source URL a job reads a stored file by: `fs://path` on the file system, `s3://bucket/key` on S3. */
function sourceUrlOf(listing: BrowseResponse, path: string): string {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return listing.bucket ? `s3://${listing.bucket}/${encoded}` : `fs://${encoded}`;
}

export default function Files() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const path = useLocalePath();
  const uploadId = useId();
  const [params, setParams] = useSearchParams();
  const rootKey = params.get("root") ?? "";
  const current = params.get("path") ?? "";
  const operator = can(session.data, "operator");
  const roots = useQuery({
    queryKey: ["files", "roots"],
    queryFn: () => apiFetch<StorageRootsResponse>("/v1/files/roots"),
    enabled: operator,
  });
  const root = roots.data?.find((r) => `${r.plugin_id}:${r.name}` === rootKey) ?? roots.data?.[0];
  const browseQuery = new URLSearchParams({ plugin: root?.plugin_id ?? "storage-fs", path: current });
  if (root?.bucket) browseQuery.set("bucket", root.bucket);
  const listing = useQuery({
    queryKey: ["files", "browse", browseQuery.toString()],
    queryFn: () => apiFetch<BrowseResponse>(`/v1/files/browse?${browseQuery}`),
    enabled: operator && root !== undefined,
  });
  const [uploadPct, setUploadPct] = useState<number | null>(null);
  const upload = useMutation({
    mutationFn: (file: File) => uploadFile(file, setUploadPct),
    onSuccess: () => void listing.refetch(),
  });
  if (!operator) return <p className="text-sm text-muted-foreground">{t("files.operatorOnly")}</p>;
  const open = (next: Record<string, string>) => setParams({ root: rootKey, path: current, ...next });
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });
  const crumbs = current.split("/").filter(Boolean);
  const failure = [listing.error, upload.error].find((e) => e instanceof ApiRequestError)?.failure;

  return (
    <>
      <PageHeader
        title={t("files.title")}
        actions={
          <label htmlFor={uploadId} className="cursor-pointer">
            <span className="inline-flex h-9 items-center gap-2 rounded-md bg-primary px-4 text-sm font-medium text-primary-foreground shadow-sm hover:bg-primary/90">
              <Upload aria-hidden className="size-4" />
              {t("files.upload")}
            </span>
            <Input
              id={uploadId}
              type="file"
              className="sr-only"
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file) upload.mutate(file);
              }}
            />
          </label>
        }
      />
      {uploadPct !== null && upload.isPending && (
        <div className="mb-4 flex items-center gap-3">
          <Progress value={uploadPct} label={t("wizard.uploading", { pct: uploadPct })} />
          <span className="w-32 text-xs tabular-nums">{t("wizard.uploading", { pct: uploadPct })}</span>
        </div>
      )}
      <Card>
        <div className="flex flex-wrap items-center gap-3 border-b border-border p-4">
          <NativeSelect
            aria-label={t("files.root")}
            value={root ? `${root.plugin_id}:${root.name}` : ""}
            onChange={(event) => setParams({ root: event.target.value, path: "" })}
          >
            {roots.data?.map((r) => (
              <option key={`${r.plugin_id}:${r.name}`} value={`${r.plugin_id}:${r.name}`}>
                {r.storage_type.toUpperCase()} · {r.name || r.plugin_id}
              </option>
            ))}
          </NativeSelect>
          <nav aria-label={t("files.location")} className="flex flex-wrap items-center gap-1 text-sm">
            <button type="button" className="text-primary hover:underline" onClick={() => open({ path: "" })}>
              {root?.name || "/"}
            </button>
            {crumbs.map((crumb, index) => (
              <span key={crumbs.slice(0, index + 1).join("/")} className="flex items-center gap-1">
                <ChevronRight aria-hidden className="size-3 text-muted-foreground" />
                <button
                  type="button"
                  className="text-primary hover:underline"
                  onClick={() => open({ path: crumbs.slice(0, index + 1).join("/") })}
                >
                  {crumb}
                </button>
              </span>
            ))}
          </nav>
        </div>
        {failure && (
          <p role="alert" className="m-4 rounded-md bg-destructive/10 p-3 text-sm text-destructive">
            {failure.code}: {failure.details}
          </p>
        )}
        <Table>
          <thead>
            <tr>
              <TableHead>{t("files.name")}</TableHead>
              <TableHead>{t("job.size")}</TableHead>
              <TableHead>{t("files.modified")}</TableHead>
              <TableHead />
            </tr>
          </thead>
          <tbody>
            {listing.data?.entries.map((entry) => (
              <tr key={entry.path} className="hover:bg-muted/40">
                <TableCell>
                  {entry.is_directory ? (
                    <button
                      type="button"
                      className="flex items-center gap-2 font-medium text-primary hover:underline"
                      onClick={() => open({ path: entry.path })}
                    >
                      <Folder aria-hidden className="size-4" />
                      {entry.name}
                    </button>
                  ) : (
                    <span className="flex items-center gap-2">
                      {entry.is_video ? (
                        <FileVideo aria-hidden className="size-4 text-primary" />
                      ) : (
                        <File aria-hidden className="size-4 text-muted-foreground" />
                      )}
                      {entry.name}
                    </span>
                  )}
                </TableCell>
                <TableCell className="text-xs tabular-nums">
                  {entry.is_directory ? "—" : formatBytes(entry.size)}
                </TableCell>
                <TableCell className="text-xs text-muted-foreground">
                  {entry.modified_at ? date.format(new Date(entry.modified_at)) : "—"}
                </TableCell>
                <TableCell className="text-right">
                  {!entry.is_directory &&
                    (entry.kind === "video" || entry.kind === "audio") &&
                    listing.data && (
                      <Button asChild variant="outline" size="sm">
                        <Link
                          to={`${path("/jobs/new")}?source=${encodeURIComponent(sourceUrlOf(listing.data, entry.path))}`}
                        >
                          <Play aria-hidden />
                          {t("files.startJob")}
                        </Link>
                      </Button>
                    )}
                </TableCell>
              </tr>
            ))}
          </tbody>
        </Table>
        {listing.data?.entries.length === 0 && (
          <p className="p-8 text-center text-sm text-muted-foreground">{t("files.empty")}</p>
        )}
      </Card>
    </>
  );
}
