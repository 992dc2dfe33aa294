// The restream form as the page holds it, and the request it makes: a destination is typed as OBS asks
// for it (a server and a key apart) and sent as one URL; a scheduled start picked in the browser's local
// time is sent as an instant with its offset.
import type {
  CreateRestreamRequest,
  RestreamDestinationRequest,
  RestreamDetail,
  UpdateRestreamRequest,
} from "./apiTypes.ts";

export type RestreamPlatform = RestreamDestinationRequest["platform"];

/** The ingest servers of the platforms that have one for everybody; the others vary by account. */
export const PLATFORM_SERVERS: Partial<Record<RestreamPlatform, string>> = {
  youtube: "rtmp://a.rtmp.youtube.com/live2",
  twitch: "rtmp://live.twitch.tv/app",
  facebook: "rtmps://live-api-s.facebook.com:443/rtmp",
};

export interface DestinationDraft {
  /** A destination the restream has already; with `storedUrl`, the URL the API shows for it (masked). */
  id?: string;
  storedUrl?: string;
  platform: RestreamPlatform;
  server: string;
  streamKey: string;
  enabled: boolean;
  /** The video rate this destination takes the stream re-encoded at; "" for the stream copy. */
  reencodeKbps: string;
  /** A kept destination's audio rate, sent back as it was. */
  audioKbps?: number;
}

export interface RestreamDraft {
  title: string;
  description: string;
  inputType: CreateRestreamRequest["input_type"];
  streamId: string;
  inputUrl: string;
  jobId: string;
  outputKey: string;
  destinations: DestinationDraft[];
  scheduleType: NonNullable<CreateRestreamRequest["schedule_type"]>;
  /** `YYYY-MM-DDTHH:mm`, the browser's local time (an `<input type="datetime-local">`). */
  startAt: string;
  cron: string;
  timezone: string;
  durationMinutes: string;
  loop: boolean;
  simulateLive: boolean;
}

export const emptyDestination = (platform: RestreamPlatform = "youtube"): DestinationDraft => ({
  platform,
  server: PLATFORM_SERVERS[platform] ?? "",
  streamKey: "",
  enabled: true,
  reencodeKbps: "",
});

export const emptyRestreamDraft = (timezone: string): RestreamDraft => ({
  title: "",
  description: "",
  inputType: "rtmp",
  streamId: "",
  inputUrl: "",
  jobId: "",
  outputKey: "",
  destinations: [emptyDestination()],
  scheduleType: "immediate",
  startAt: "",
  cron: "",
  timezone,
  durationMinutes: "",
  loop: false,
  simulateLive: true,
});

/** A server and a key as one URL: the key is the last path segment, as RTMP servers expect it. */
export function destinationUrl(server: string, streamKey: string): string {
  const base = server.trim().replace(/\/+$/, "");
  const key = streamKey.trim().replace(/^\/+/, "");
  return key ? `${base}/${key}` : base;
}

/** A local `YYYY-MM-DDTHH:mm` as an ISO instant with the offset of that moment in the browser's zone. */
export function localDateTimeToIso(local: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return null;
  const [, year, month, day, hour, minute] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(year, month - 1, day, hour, minute).toISOString();
}

/** A kept destination left as it was is sent without its URL: the API keeps the one it has sealed. */
function destinationRequest(destination: DestinationDraft): RestreamDestinationRequest {
  const kept =
    destination.id !== undefined &&
    destination.server === destination.storedUrl &&
    destination.streamKey === "";
  return {
    ...(destination.id === undefined ? {} : { id: destination.id }),
    platform: destination.platform,
    ...(kept ? {} : { url: destinationUrl(destination.server, destination.streamKey) }),
    enabled: destination.enabled,
    ...(destination.reencodeKbps.trim() === ""
      ? {}
      : {
          transcode: {
            video_bitrate_kbps: Number(destination.reencodeKbps),
            // the API's own default for a new one; a kept one's as it was
            audio_bitrate_kbps: destination.audioKbps ?? 128,
          },
        }),
  };
}

/** An instant as the `YYYY-MM-DDTHH:mm` a `datetime-local` input shows, in the browser's zone. */
export function isoToLocalDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const two = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** A restream as the form edits it: its destinations keep their ids and show their masked URLs. */
export function draftFromRestream(restream: RestreamDetail, timezone: string): RestreamDraft {
  const schedule = restream.schedule_config;
  return {
    title: restream.title,
    description: restream.description,
    inputType: restream.input_type,
    streamId: restream.stream_id ?? "",
    inputUrl: restream.input_url ?? "",
    jobId: restream.job_id ?? "",
    outputKey: restream.output_key ?? "",
    destinations: restream.output_destinations.map((destination) => ({
      id: destination.id,
      storedUrl: destination.url,
      platform: destination.platform,
      server: destination.url,
      streamKey: "",
      enabled: destination.enabled,
      reencodeKbps: destination.transcode === null ? "" : String(destination.transcode.video_bitrate_kbps),
      ...(destination.transcode === null ? {} : { audioKbps: destination.transcode.audio_bitrate_kbps }),
    })),
    scheduleType: restream.schedule_type,
    startAt: schedule.start_at ? isoToLocalDateTime(schedule.start_at) : "",
    cron: schedule.cron ?? "",
    timezone: schedule.timezone ?? timezone,
    durationMinutes: schedule.duration_seconds ? String(Math.round(schedule.duration_seconds / 60)) : "",
    loop: restream.loop_enabled,
    simulateLive: restream.simulate_live,
  };
}

/** The whole document again, at the revision the form was filled from (a change since is WE-STR-012). */
export function toUpdateRestreamRequest(draft: RestreamDraft, revision: number): UpdateRestreamRequest {
  return { ...toCreateRestreamRequest(draft), revision };
}

export function toCreateRestreamRequest(draft: RestreamDraft): CreateRestreamRequest {
  const input =
    draft.inputType === "rtmp"
      ? { stream_id: draft.streamId }
      : draft.inputType === "file"
        ? { input_url: draft.inputUrl.trim() }
        : {
            job_id: draft.jobId.trim(),
            ...(draft.outputKey.trim() ? { output_key: draft.outputKey.trim() } : {}),
          };
  const startAt = draft.scheduleType === "scheduled" ? localDateTimeToIso(draft.startAt) : null;
  const minutes = Number(draft.durationMinutes);
  const scheduleConfig =
    draft.scheduleType === "scheduled"
      ? startAt
        ? { start_at: startAt }
        : {}
      : draft.scheduleType === "recurring"
        ? {
            cron: draft.cron.trim(),
            ...(draft.timezone ? { timezone: draft.timezone } : {}),
            ...(Number.isInteger(minutes) && minutes > 0 ? { duration_seconds: minutes * 60 } : {}),
          }
        : {};
  return {
    title: draft.title.trim(),
    description: draft.description.trim(),
    input_type: draft.inputType,
    ...input,
    output_destinations: draft.destinations.map(destinationRequest),
    schedule_type: draft.scheduleType,
    schedule_config: scheduleConfig,
    loop_enabled: draft.inputType === "rtmp" ? false : draft.loop,
    simulate_live: draft.inputType === "rtmp" ? true : draft.simulateLive,
  };
}
