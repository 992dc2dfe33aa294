// The profile editor: basic fields, advanced ones (rate control, audio, container, packaging, thumbnails,
// subtitles) and the ladder's tiers (add, enable, reorder, remove). It edits a snake_case document as the
// API takes it; the API's validation messages appear next to the fields they name.
import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-react";
import { type ReactNode, useId } from "react";
import { useTranslation } from "react-i18next";
import type { ProfileDocument } from "../lib/apiTypes.ts";
import { type LadderTierDocument, moveTier, nextTier } from "../lib/profileDrafts.ts";
import { Button } from "./ui/button.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "./ui/card.tsx";
import { Input, NativeSelect } from "./ui/input.tsx";
import { Label } from "./ui/label.tsx";

export interface ProfileEditorProps {
  /** Shown and editable only while creating: a profile's id never changes. */
  id: string | null;
  onIdChange(id: string): void;
  document: ProfileDocument;
  onChange(document: ProfileDocument): void;
  /** The API's message per field, by the field's API name ("video.maxrate_kbps", "ladder.1.name"). */
  issues: Record<string, string>;
}

const CODECS = ["h264", "hevc", "vp9", "av1"] as const;
const CONTAINERS = ["mp4", "mkv", "webm"] as const;
const SUBTITLES = ["none", "passthrough", "extract", "burn_in"] as const;

function Field({
  label,
  field,
  issues,
  children,
  className,
}: {
  label: string;
  field: string;
  issues: Record<string, string>;
  children: (props: { id: string; "aria-invalid"?: boolean; "aria-describedby"?: string }) => ReactNode;
  className?: string;
}) {
  const id = useId();
  const issue = issues[field];
  return (
    <div className={className ?? "space-y-1.5"} data-field={field}>
      <Label htmlFor={id} className="block">
        {label}
      </Label>
      {children({ id, ...(issue ? { "aria-invalid": true, "aria-describedby": `${id}-issue` } : {}) })}
      {issue && (
        <p id={`${id}-issue`} role="alert" className="text-xs text-destructive" data-issue={field}>
          {issue}
        </p>
      )}
    </div>
  );
}

const numberValue = (value: string) => (value.trim() === "" ? Number.NaN : Number(value));

export function ProfileEditor({ id, onIdChange, document, onChange, issues }: ProfileEditorProps) {
  const { t } = useTranslation();
  const video = document.video;
  const setVideo = (patch: Partial<ProfileDocument["video"]>) =>
    onChange({ ...document, video: { ...video, ...patch } });
  const setTier = (index: number, patch: Partial<LadderTierDocument>) =>
    onChange({
      ...document,
      ladder: document.ladder.map((tier, i) => (i === index ? { ...tier, ...patch } : tier)),
    });
  const packaging = document.packaging;
  const setStreaming = (kind: "hls" | "dash", on: boolean) => {
    const next = {
      ...(packaging ?? { hls: false, dash: false, segment_sec: 6, encryption: "none" as const }),
    };
    next[kind] = on;
    onChange({ ...document, packaging: next.hls || next.dash ? next : null });
  };
  const number = (field: string, label: string, value: number, set: (n: number) => void) => (
    <Field label={label} field={field} issues={issues}>
      {(props) => (
        <Input
          {...props}
          type="number"
          inputMode="numeric"
          value={Number.isNaN(value) ? "" : value}
          onChange={(event) => set(numberValue(event.target.value))}
        />
      )}
    </Field>
  );

  return (
    <div className="space-y-4">
      <Card>
        <CardHeader>
          <CardTitle>{t("profiles.basic")}</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4 sm:grid-cols-2">
          {id !== null && (
            <Field label={t("profiles.id")} field="id" issues={issues}>
              {(props) => (
                <Input {...props} required value={id} onChange={(event) => onIdChange(event.target.value)} />
              )}
            </Field>
          )}
          <Field label={t("profiles.name")} field="name" issues={issues}>
            {(props) => (
              <Input
                {...props}
                required
                value={document.name}
                onChange={(event) => onChange({ ...document, name: event.target.value })}
              />
            )}
          </Field>
          <Field
            label={t("profiles.description")}
            field="description"
            issues={issues}
            className="space-y-1.5 sm:col-span-2"
          >
            {(props) => (
              <Input
                {...props}
                value={document.description}
                onChange={(event) => onChange({ ...document, description: event.target.value })}
              />
            )}
          </Field>
          <Field label={t("profiles.codec")} field="video.codec" issues={issues}>
            {(props) => (
              <NativeSelect
                {...props}
                className="w-full"
                value={video.codec}
                onChange={(event) =>
                  setVideo({ codec: event.target.value as ProfileDocument["video"]["codec"] })
                }
              >
                {CODECS.map((codec) => (
                  <option key={codec} value={codec}>
                    {codec}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          {number("video.bitrate_kbps", t("profiles.bitrateKbps"), video.bitrate_kbps, (n) =>
            setVideo({ bitrate_kbps: n }),
          )}
          {number("video.max_width", t("profiles.maxWidth"), video.max_width, (n) =>
            setVideo({ max_width: n }),
          )}
          {number("video.max_height", t("profiles.maxHeight"), video.max_height, (n) =>
            setVideo({ max_height: n }),
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>{t("profiles.advanced")}</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4 sm:grid-cols-3">
          <Field label={t("profiles.preset")} field="video.preset" issues={issues}>
            {(props) => (
              <Input
                {...props}
                value={video.preset}
                onChange={(event) => setVideo({ preset: event.target.value })}
              />
            )}
          </Field>
          {number("video.maxrate_kbps", t("profiles.maxrateKbps"), video.maxrate_kbps, (n) =>
            setVideo({ maxrate_kbps: n }),
          )}
          {number("video.bufsize_kbps", t("profiles.bufsizeKbps"), video.bufsize_kbps, (n) =>
            setVideo({ bufsize_kbps: n }),
          )}
          <Field label={t("profiles.audioCodec")} field="audio.codec" issues={issues}>
            {(props) => (
              <NativeSelect
                {...props}
                className="w-full"
                value={document.audio?.codec ?? "none"}
                onChange={(event) => {
                  const codec = event.target.value;
                  onChange({
                    ...document,
                    audio:
                      codec === "aac" || codec === "opus"
                        ? { bitrate_kbps: 128, sample_rate: 48_000, channels: 2, ...document.audio, codec }
                        : null,
                  });
                }}
              >
                <option value="aac">aac</option>
                <option value="opus">opus</option>
                <option value="none">{t("profiles.noAudio")}</option>
              </NativeSelect>
            )}
          </Field>
          {document.audio !== null &&
            number("audio.bitrate_kbps", t("profiles.audioBitrateKbps"), document.audio.bitrate_kbps, (n) =>
              onChange({ ...document, audio: document.audio && { ...document.audio, bitrate_kbps: n } }),
            )}
          <Field label={t("profiles.container")} field="container" issues={issues}>
            {(props) => (
              <NativeSelect
                {...props}
                className="w-full"
                value={document.container}
                onChange={(event) =>
                  onChange({ ...document, container: event.target.value as ProfileDocument["container"] })
                }
              >
                {CONTAINERS.map((container) => (
                  <option key={container} value={container}>
                    {container}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          <fieldset className="space-y-1.5 sm:col-span-3" data-field="packaging.hls">
            <legend className="text-sm font-medium">{t("profiles.streaming")}</legend>
            <div className="flex flex-wrap items-center gap-4 text-sm">
              {(["hls", "dash"] as const).map((kind) => (
                <label key={kind} className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    checked={packaging?.[kind] ?? false}
                    onChange={(event) => setStreaming(kind, event.target.checked)}
                  />
                  {kind.toUpperCase()}
                </label>
              ))}
              {packaging !== null &&
                number("packaging.segment_sec", t("profiles.segmentSec"), packaging.segment_sec, (n) =>
                  onChange({ ...document, packaging: { ...packaging, segment_sec: n } }),
                )}
              {packaging?.hls && (
                <label className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    checked={packaging.encryption === "aes-128"}
                    onChange={(event) =>
                      onChange({
                        ...document,
                        packaging: { ...packaging, encryption: event.target.checked ? "aes-128" : "none" },
                      })
                    }
                  />
                  {t("profiles.encryption")}
                </label>
              )}
            </div>
            {(issues["packaging.hls"] ?? issues["packaging.encryption"]) && (
              <p role="alert" className="text-xs text-destructive">
                {issues["packaging.hls"] ?? issues["packaging.encryption"]}
              </p>
            )}
          </fieldset>
          <fieldset className="space-y-1.5 sm:col-span-3">
            <legend className="text-sm font-medium">{t("profiles.thumbnails")}</legend>
            <div className="flex flex-wrap items-end gap-4 text-sm">
              <label className="flex items-center gap-2">
                <input
                  type="checkbox"
                  checked={document.thumbnails !== null}
                  onChange={(event) =>
                    onChange({
                      ...document,
                      thumbnails: event.target.checked
                        ? { interval_sec: 10, width: 160, storyboard: true }
                        : null,
                    })
                  }
                />
                {t("profiles.thumbnailsOn")}
              </label>
              {document.thumbnails !== null && (
                <>
                  {number(
                    "thumbnails.interval_sec",
                    t("profiles.intervalSec"),
                    document.thumbnails.interval_sec,
                    (n) =>
                      onChange({
                        ...document,
                        thumbnails: document.thumbnails && { ...document.thumbnails, interval_sec: n },
                      }),
                  )}
                  {number("thumbnails.width", t("profiles.thumbnailWidth"), document.thumbnails.width, (n) =>
                    onChange({
                      ...document,
                      thumbnails: document.thumbnails && { ...document.thumbnails, width: n },
                    }),
                  )}
                  <label className="flex items-center gap-2">
                    <input
                      type="checkbox"
                      checked={document.thumbnails.storyboard}
                      onChange={(event) =>
                        onChange({
                          ...document,
                          thumbnails: document.thumbnails && {
                            ...document.thumbnails,
                            storyboard: event.target.checked,
                          },
                        })
                      }
                    />
                    {t("profiles.storyboard")}
                  </label>
                </>
              )}
            </div>
          </fieldset>
          <Field label={t("profiles.subtitles")} field="subtitles" issues={issues}>
            {(props) => (
              <NativeSelect
                {...props}
                className="w-full"
                value={document.subtitles}
                onChange={(event) =>
                  onChange({ ...document, subtitles: event.target.value as ProfileDocument["subtitles"] })
                }
              >
                {SUBTITLES.map((mode) => (
                  <option key={mode} value={mode}>
                    {t(`profiles.subtitleModes.${mode}`)}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>{t("profiles.ladder")}</CardTitle>
          <Button
            type="button"
            variant="outline"
            size="sm"
            disabled={document.ladder.length >= 10}
            onClick={() => onChange({ ...document, ladder: [...document.ladder, nextTier(document)] })}
          >
            <Plus aria-hidden="true" />
            {t("profiles.addTier")}
          </Button>
        </CardHeader>
        <CardContent className="space-y-3">
          {document.ladder.length === 0 && (
            <p className="text-sm text-muted-foreground">{t("profiles.noTiers")}</p>
          )}
          {document.ladder.map((tier, index) => {
            const at = `ladder.${index}`;
            const label = tier.name || String(index + 1);
            return (
              <div
                // tiers have no identity but their place: the row is its index
                // biome-ignore lint/suspicious/noArrayIndexKey: a tier is its position in the ladder
                key={index}
                data-tier={index}
                className="grid items-start gap-3 rounded-lg border border-border p-3 sm:grid-cols-[repeat(6,minmax(0,1fr))_auto]"
              >
                <Field label={t("profiles.tierName")} field={`${at}.name`} issues={issues}>
                  {(props) => (
                    <Input
                      {...props}
                      value={tier.name}
                      onChange={(event) => setTier(index, { name: event.target.value })}
                    />
                  )}
                </Field>
                {number(`${at}.max_width`, t("profiles.maxWidth"), tier.max_width, (n) =>
                  setTier(index, { max_width: n }),
                )}
                {number(`${at}.max_height`, t("profiles.maxHeight"), tier.max_height, (n) =>
                  setTier(index, { max_height: n }),
                )}
                {number(`${at}.bitrate_kbps`, t("profiles.bitrateKbps"), tier.bitrate_kbps, (n) =>
                  setTier(index, { bitrate_kbps: n }),
                )}
                {number(`${at}.maxrate_kbps`, t("profiles.maxrateKbps"), tier.maxrate_kbps, (n) =>
                  setTier(index, { maxrate_kbps: n }),
                )}
                {number(`${at}.bufsize_kbps`, t("profiles.bufsizeKbps"), tier.bufsize_kbps, (n) =>
                  setTier(index, { bufsize_kbps: n }),
                )}
                <div className="flex items-center gap-1 sm:pt-6">
                  <label className="mr-2 flex items-center gap-1.5 text-sm">
                    <input
                      type="checkbox"
                      checked={tier.enabled}
                      onChange={(event) => setTier(index, { enabled: event.target.checked })}
                    />
                    {t("profiles.enabled")}
                  </label>
                  <Button
                    type="button"
                    variant="ghost"
                    size="icon"
                    aria-label={t("profiles.moveUp", { tier: label })}
                    disabled={index === 0}
                    onClick={() => onChange({ ...document, ladder: moveTier(document.ladder, index, -1) })}
                  >
                    <ArrowUp aria-hidden="true" />
                  </Button>
                  <Button
                    type="button"
                    variant="ghost"
                    size="icon"
                    aria-label={t("profiles.moveDown", { tier: label })}
                    disabled={index === document.ladder.length - 1}
                    onClick={() => onChange({ ...document, ladder: moveTier(document.ladder, index, 1) })}
                  >
                    <ArrowDown aria-hidden="true" />
                  </Button>
                  <Button
                    type="button"
                    variant="ghost"
                    size="icon"
                    aria-label={t("profiles.removeTier", { tier: label })}
                    onClick={() =>
                      onChange({ ...document, ladder: document.ladder.filter((_, i) => i !== index) })
                    }
                  >
                    <Trash2 aria-hidden="true" />
                  </Button>
                </div>
              </div>
            );
          })}
        </CardContent>
      </Card>
    </div>
  );
}
