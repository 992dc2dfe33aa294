import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Check, Link2, Upload } from "lucide-react";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";
import { PageHeader } from "../components/PageHeader.tsx";
import { Button } from "../components/ui/button.tsx";
import { Card, CardContent } from "../components/ui/card.tsx";
import { cn } from "../components/ui/cn.ts";
import { Input } from "../components/ui/input.tsx";
import { Label } from "../components/ui/label.tsx";
import { Progress } from "../components/ui/progress.tsx";
import { ApiRequestError, apiFetch } from "../lib/apiFetch.ts";
import type { Job, Profile } from "../lib/apiTypes.ts";
import { uploadFile } from "../lib/uploadFile.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";

type Step = 0 | 1 | 2;

export default function JobNew() {
  const { t } = useTranslation();
  const path = useLocalePath();
  const navigate = useNavigate();
  const client = useQueryClient();
  // a file picked on the files page arrives as ?source=: the wizard starts at the profile
  const [params] = useSearchParams();
  const given = params.get("source") ?? "";
  const [step, setStep] = useState<Step>(given ? 1 : 0);
  const [mode, setMode] = useState<"url" | "upload">(given ? "url" : "upload");
  const [url, setUrl] = useState(given);
  const urlId = useId();
  const fileId = useId();
  const [uploadPct, setUploadPct] = useState<number | null>(null);
  const [uploadedUrl, setUploadedUrl] = useState<string | null>(null);
  const [profile, setProfile] = useState("");
  const profiles = useQuery({
    queryKey: ["profiles"],
    queryFn: () => apiFetch<{ profiles: Profile[] }>("/v1/profiles"),
  });
  const upload = useMutation({
    mutationFn: (file: File) => uploadFile(file, setUploadPct),
    onSuccess: (uploaded) => setUploadedUrl(uploaded.url),
  });
  const sourceUrl = mode === "url" ? url.trim() : (uploadedUrl ?? "");
  const chosenProfile = profile || profiles.data?.profiles[0]?.id || "";
  const submit = useMutation({
    mutationFn: () =>
      apiFetch<Job>("/v1/jobs", { method: "POST", body: { source_url: sourceUrl, profile: chosenProfile } }),
    onSuccess: (job) => {
      void client.invalidateQueries({ queryKey: ["jobs"] });
      navigate(path(`/jobs/${job.id}`));
    },
  });
  const failure = [upload.error, submit.error].find((e) => e instanceof ApiRequestError)?.failure;
  const steps = [t("wizard.stepSource"), t("wizard.stepProfile"), t("wizard.stepReview")];

  return (
    <>
      <PageHeader title={t("wizard.title")} />
      <ol className="mb-6 flex gap-2" aria-label={t("wizard.title")}>
        {steps.map((label, index) => (
          <li
            key={label}
            aria-current={index === step ? "step" : undefined}
            className={cn(
              "flex flex-1 items-center gap-2 rounded-lg border border-border px-4 py-3 text-sm",
              index === step && "border-primary bg-primary/5 font-medium",
              index < step && "text-muted-foreground",
            )}
          >
            <span
              className={cn(
                "grid size-6 place-items-center rounded-full bg-muted text-xs",
                index <= step && "bg-primary text-primary-foreground",
              )}
            >
              {index < step ? <Check aria-hidden className="size-3.5" /> : index + 1}
            </span>
            {label}
          </li>
        ))}
      </ol>
      <Card className="max-w-3xl">
        <CardContent className="space-y-6 pt-6">
          {step === 0 && (
            <>
              <fieldset className="grid grid-cols-2 gap-3">
                <legend className="sr-only">{t("wizard.stepSource")}</legend>
                {(["upload", "url"] as const).map((choice) => (
                  <label
                    key={choice}
                    className={cn(
                      "flex cursor-pointer items-center gap-3 rounded-lg border border-border p-4 text-sm",
                      mode === choice && "border-primary bg-primary/5",
                    )}
                  >
                    <input
                      type="radio"
                      name="source-kind"
                      value={choice}
                      checked={mode === choice}
                      onChange={() => setMode(choice)}
                    />
                    {choice === "upload" ? <Upload aria-hidden /> : <Link2 aria-hidden />}
                    {choice === "upload" ? t("wizard.fromUpload") : t("wizard.fromUrl")}
                  </label>
                ))}
              </fieldset>
              {mode === "url" ? (
                <div className="space-y-2">
                  <Label htmlFor={urlId}>{t("wizard.url")}</Label>
                  <Input
                    id={urlId}
                    placeholder="https://example.com/video.mp4"
                    value={url}
                    onChange={(event) => setUrl(event.target.value)}
                  />
                </div>
              ) : (
                <div className="space-y-3">
                  <Label htmlFor={fileId}>{t("wizard.file")}</Label>
                  <Input
                    id={fileId}
                    type="file"
                    accept="video/*,audio/*"
                    className="h-auto py-2"
                    onChange={(event) => {
                      const file = event.target.files?.[0];
                      setUploadedUrl(null);
                      if (file) upload.mutate(file);
                    }}
                  />
                  {uploadPct !== null && (
                    <div className="flex items-center gap-3" data-testid="upload-progress">
                      <Progress value={uploadPct} label={t("wizard.uploading", { pct: uploadPct })} />
                      <span className="w-28 text-xs tabular-nums">
                        {uploadedUrl ? t("wizard.uploaded") : t("wizard.uploading", { pct: uploadPct })}
                      </span>
                    </div>
                  )}
                </div>
              )}
            </>
          )}
          {step === 1 && (
            <fieldset className="space-y-2">
              <legend className="mb-2 text-sm font-medium">{t("wizard.profile")}</legend>
              {profiles.data?.profiles.map((p) => (
                <label
                  key={p.id}
                  className={cn(
                    "flex cursor-pointer items-center gap-3 rounded-lg border border-border p-3 text-sm",
                    chosenProfile === p.id && "border-primary bg-primary/5",
                  )}
                >
                  <input
                    type="radio"
                    name="profile"
                    value={p.id}
                    checked={chosenProfile === p.id}
                    onChange={() => setProfile(p.id)}
                  />
                  <span className="font-medium">{p.id}</span>
                  <span className="text-muted-foreground">
                    {p.name} · {p.container} · {p.codec} ≤{p.max_height}p · {p.bitrate_kbps} kbps
                    {p.tier_count > 0 ? ` · ${p.tier_count} tiers` : ""}
                  </span>
                </label>
              ))}
            </fieldset>
          )}
          {step === 2 && (
            <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
              <dt className="text-muted-foreground">{t("wizard.stepSource")}</dt>
              <dd className="break-all font-mono text-xs">{sourceUrl}</dd>
              <dt className="text-muted-foreground">{t("wizard.profile")}</dt>
              <dd>{chosenProfile}</dd>
            </dl>
          )}
          {failure && (
            <p role="alert" className="rounded-md bg-destructive/10 p-3 text-sm text-destructive">
              {failure.code}: {failure.details} {failure.hint}
            </p>
          )}
          <div className="flex justify-between">
            <Button variant="outline" disabled={step === 0} onClick={() => setStep((step - 1) as Step)}>
              {t("wizard.back")}
            </Button>
            {step < 2 ? (
              <Button
                disabled={(step === 0 && sourceUrl === "") || (step === 1 && chosenProfile === "")}
                onClick={() => setStep((step + 1) as Step)}
              >
                {t("wizard.continue")}
              </Button>
            ) : (
              <Button disabled={submit.isPending} onClick={() => submit.mutate()}>
                {submit.isPending ? t("wizard.submitting") : t("wizard.submit")}
              </Button>
            )}
          </div>
        </CardContent>
      </Card>
    </>
  );
}
