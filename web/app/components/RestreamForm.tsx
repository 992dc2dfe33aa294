// The restream document as a form: an input (one of our streams, a file, a finished job), destinations
// typed as OBS asks for them (platform, server, key), a schedule (now, at a time, on a cron) and, for
// files, loop and live pace. Creating and editing a restream both use it.
import { useQuery } from "@tanstack/react-query";
import { Plus, Trash2 } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { apiFetch } from "../lib/apiFetch.ts";
import type { StreamList } from "../lib/apiTypes.ts";
import {
  type DestinationDraft,
  emptyDestination,
  PLATFORM_SERVERS,
  type RestreamDraft,
  type RestreamPlatform,
} from "../lib/restreamDraft.ts";
import { ApiFailureAlert } from "./ApiFailureAlert.tsx";
import { Button } from "./ui/button.tsx";
import { Card, CardContent, CardHeader, CardTitle } from "./ui/card.tsx";
import { Input, NativeSelect } from "./ui/input.tsx";
import { Label } from "./ui/label.tsx";

const PLATFORMS: RestreamPlatform[] = ["youtube", "twitch", "kick", "rumble", "facebook", "custom"];
const INPUTS = ["rtmp", "file", "vod_job"] as const;
const SCHEDULES = ["immediate", "scheduled", "recurring"] as const;

interface RestreamFormProps {
  initial: RestreamDraft;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (draft: RestreamDraft) => void;
}

export function RestreamForm({ initial, submitLabel, pending, error, onSubmit }: RestreamFormProps) {
  const { t } = useTranslation();
  const ids = {
    title: useId(),
    description: useId(),
    stream: useId(),
    inputUrl: useId(),
    jobId: useId(),
    outputKey: useId(),
    startAt: useId(),
    cron: useId(),
    timezone: useId(),
    duration: useId(),
    loop: useId(),
    simulate: useId(),
  };
  const [draft, setDraft] = useState<RestreamDraft>(initial);
  const streams = useQuery({
    queryKey: ["streams"],
    queryFn: () => apiFetch<StreamList>("/v1/streams"),
    enabled: draft.inputType === "rtmp",
  });
  const change = (changes: Partial<RestreamDraft>) => setDraft((current) => ({ ...current, ...changes }));
  const changeDestination = (index: number, changes: Partial<DestinationDraft>) =>
    change({
      destinations: draft.destinations.map((destination, i) =>
        i === index ? { ...destination, ...changes } : destination,
      ),
    });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(draft);
  };
  const isFile = draft.inputType !== "rtmp";

  return (
    <form onSubmit={submit} className="grid max-w-4xl gap-6">
      <Card>
        <CardContent className="space-y-4 pt-5">
          <div className="space-y-2">
            <Label htmlFor={ids.title}>{t("restreams.name")}</Label>
            <Input
              id={ids.title}
              required
              maxLength={255}
              value={draft.title}
              onChange={(event) => change({ title: event.target.value })}
            />
          </div>
          <div className="space-y-2">
            <Label htmlFor={ids.description}>{t("streams.description")}</Label>
            <textarea
              id={ids.description}
              rows={2}
              value={draft.description}
              onChange={(event) => change({ description: event.target.value })}
              className="w-full rounded-md border border-border bg-card px-3 py-2 text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-primary"
            />
          </div>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>{t("restreams.input")}</CardTitle>
        </CardHeader>
        <CardContent className="space-y-4">
          <fieldset className="flex flex-wrap gap-4">
            <legend className="sr-only">{t("restreams.inputType")}</legend>
            {INPUTS.map((input) => (
              <label key={input} className="flex items-center gap-2 text-sm">
                <input
                  type="radio"
                  name="input_type"
                  value={input}
                  checked={draft.inputType === input}
                  onChange={() => change({ inputType: input })}
                />
                {t(`restreams.inputs.${input}`)}
              </label>
            ))}
          </fieldset>
          {draft.inputType === "rtmp" && (
            <div className="space-y-2">
              <Label htmlFor={ids.stream}>{t("restreams.stream")}</Label>
              <NativeSelect
                id={ids.stream}
                required
                className="w-full"
                value={draft.streamId}
                onChange={(event) => change({ streamId: event.target.value })}
              >
                <option value="">{t("restreams.pickStream")}</option>
                {streams.data?.streams.map((stream) => (
                  <option key={stream.id} value={stream.id}>
                    {stream.title}
                  </option>
                ))}
              </NativeSelect>
              {streams.data?.streams.length === 0 && (
                <p className="text-xs text-muted-foreground">{t("restreams.noStreams")}</p>
              )}
            </div>
          )}
          {draft.inputType === "file" && (
            <div className="space-y-2">
              <Label htmlFor={ids.inputUrl}>{t("restreams.inputUrl")}</Label>
              <Input
                id={ids.inputUrl}
                required
                placeholder="fs://media/loop.mp4"
                value={draft.inputUrl}
                onChange={(event) => change({ inputUrl: event.target.value })}
              />
            </div>
          )}
          {draft.inputType === "vod_job" && (
            <div className="grid gap-4 sm:grid-cols-2">
              <div className="space-y-2">
                <Label htmlFor={ids.jobId}>{t("restreams.jobId")}</Label>
                <Input
                  id={ids.jobId}
                  required
                  className="font-mono"
                  value={draft.jobId}
                  onChange={(event) => change({ jobId: event.target.value })}
                />
              </div>
              <div className="space-y-2">
                <Label htmlFor={ids.outputKey}>{t("restreams.outputKey")}</Label>
                <Input
                  id={ids.outputKey}
                  value={draft.outputKey}
                  onChange={(event) => change({ outputKey: event.target.value })}
                />
              </div>
            </div>
          )}
          {isFile && (
            <div className="flex flex-wrap gap-6 text-sm">
              <label htmlFor={ids.loop} className="flex items-center gap-2">
                <input
                  id={ids.loop}
                  type="checkbox"
                  checked={draft.loop}
                  onChange={(event) => change({ loop: event.target.checked })}
                />
                {t("restreams.loop")}
              </label>
              <label htmlFor={ids.simulate} className="flex items-center gap-2">
                <input
                  id={ids.simulate}
                  type="checkbox"
                  checked={draft.simulateLive}
                  onChange={(event) => change({ simulateLive: event.target.checked })}
                />
                {t("restreams.simulateLive")}
              </label>
            </div>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>{t("restreams.destinations")}</CardTitle>
          <Button
            type="button"
            variant="outline"
            size="sm"
            disabled={draft.destinations.length >= 20}
            onClick={() => change({ destinations: [...draft.destinations, emptyDestination("custom")] })}
          >
            <Plus aria-hidden />
            {t("restreams.addDestination")}
          </Button>
        </CardHeader>
        <CardContent className="space-y-3">
          {draft.destinations.map((destination, index) => (
            <DestinationFields
              // the list only grows at its end or loses a row; a row's place is its identity here
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id before they are saved
              key={index}
              index={index}
              destination={destination}
              onChange={(changes) => changeDestination(index, changes)}
              onRemove={
                draft.destinations.length > 1
                  ? () => change({ destinations: draft.destinations.filter((_, i) => i !== index) })
                  : undefined
              }
            />
          ))}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>{t("restreams.schedule")}</CardTitle>
        </CardHeader>
        <CardContent className="space-y-4">
          <fieldset className="flex flex-wrap gap-4">
            <legend className="sr-only">{t("restreams.schedule")}</legend>
            {SCHEDULES.map((schedule) => (
              <label key={schedule} className="flex items-center gap-2 text-sm">
                <input
                  type="radio"
                  name="schedule_type"
                  value={schedule}
                  checked={draft.scheduleType === schedule}
                  onChange={() => change({ scheduleType: schedule })}
                />
                {t(`restreams.schedules.${schedule}`)}
              </label>
            ))}
          </fieldset>
          {draft.scheduleType === "scheduled" && (
            <div className="space-y-2">
              <Label htmlFor={ids.startAt}>{t("restreams.startAt")}</Label>
              <Input
                id={ids.startAt}
                type="datetime-local"
                required
                className="w-auto"
                value={draft.startAt}
                onChange={(event) => change({ startAt: event.target.value })}
              />
            </div>
          )}
          {draft.scheduleType === "recurring" && (
            <div className="grid gap-4 sm:grid-cols-3">
              <div className="space-y-2">
                <Label htmlFor={ids.cron}>{t("restreams.cron")}</Label>
                <Input
                  id={ids.cron}
                  required
                  placeholder="0 20 * * 5"
                  className="font-mono"
                  value={draft.cron}
                  onChange={(event) => change({ cron: event.target.value })}
                />
                <p className="text-xs text-muted-foreground">{t("restreams.cronHint")}</p>
              </div>
              <div className="space-y-2">
                <Label htmlFor={ids.timezone}>{t("restreams.timezone")}</Label>
                <Input
                  id={ids.timezone}
                  value={draft.timezone}
                  onChange={(event) => change({ timezone: event.target.value })}
                />
              </div>
              <div className="space-y-2">
                <Label htmlFor={ids.duration}>{t("restreams.durationMinutes")}</Label>
                <Input
                  id={ids.duration}
                  type="number"
                  min={1}
                  value={draft.durationMinutes}
                  onChange={(event) => change({ durationMinutes: event.target.value })}
                />
              </div>
            </div>
          )}
        </CardContent>
      </Card>
      <ApiFailureAlert error={error} />
      <div>
        <Button type="submit" disabled={pending || draft.title.trim() === ""}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

function DestinationFields({
  index,
  destination,
  onChange,
  onRemove,
}: {
  index: number;
  destination: DestinationDraft;
  onChange: (changes: Partial<DestinationDraft>) => void;
  onRemove: (() => void) | undefined;
}) {
  const { t } = useTranslation();
  const platformId = useId();
  const serverId = useId();
  const keyId = useId();
  const enabledId = useId();
  const reencodeId = useId();
  return (
    <div
      className="grid items-end gap-3 rounded-md border border-border p-3 sm:grid-cols-[10rem_1fr_1fr_8rem_auto_auto]"
      data-destination={index}
    >
      <div className="space-y-1.5">
        <Label htmlFor={platformId} className="text-xs">
          {t("restreams.platform")}
        </Label>
        <NativeSelect
          id={platformId}
          className="w-full"
          value={destination.platform}
          onChange={(event) => {
            const platform = event.target.value as RestreamPlatform;
            const known = Object.values(PLATFORM_SERVERS).includes(destination.server);
            onChange({
              platform,
              ...(destination.server === "" || known ? { server: PLATFORM_SERVERS[platform] ?? "" } : {}),
            });
          }}
        >
          {PLATFORMS.map((platform) => (
            <option key={platform} value={platform}>
              {t(`restreams.platforms.${platform}`)}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor={serverId} className="text-xs">
          {t("live.server")}
        </Label>
        <Input
          id={serverId}
          required
          placeholder="rtmp://… / srt://…"
          value={destination.server}
          onChange={(event) => onChange({ server: event.target.value })}
        />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor={keyId} className="text-xs">
          {t("live.streamKey")}
        </Label>
        <Input
          id={keyId}
          type="password"
          autoComplete="off"
          value={destination.streamKey}
          onChange={(event) => onChange({ streamKey: event.target.value })}
        />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor={reencodeId} className="text-xs" title={t("restreams.reencodeHint")}>
          {t("restreams.reencodeKbps")}
        </Label>
        <Input
          id={reencodeId}
          type="number"
          min={100}
          max={50000}
          step={100}
          placeholder="copy"
          title={t("restreams.reencodeHint")}
          value={destination.reencodeKbps}
          onChange={(event) => onChange({ reencodeKbps: event.target.value })}
        />
      </div>
      <label htmlFor={enabledId} className="flex h-9 items-center gap-2 text-sm">
        <input
          id={enabledId}
          type="checkbox"
          checked={destination.enabled}
          onChange={(event) => onChange({ enabled: event.target.checked })}
        />
        {t("restreams.enabled")}
      </label>
      <Button
        type="button"
        variant="ghost"
        size="icon"
        disabled={!onRemove}
        onClick={onRemove}
        aria-label={t("restreams.removeDestination", { n: index + 1 })}
        title={t("restreams.removeDestination", { n: index + 1 })}
      >
        <Trash2 aria-hidden className="text-destructive" />
      </Button>
    </div>
  );
}
