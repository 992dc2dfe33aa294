import { describe, expect, it } from "vitest";
import {
  createRestreamRequestSchema,
  updateRestreamRequestSchema,
} from "../../../schemas/api/restreamRequests.ts";
import type { RestreamDetail } from "./apiTypes.ts";
import {
  destinationUrl,
  draftFromRestream,
  emptyDestination,
  emptyRestreamDraft,
  localDateTimeToIso,
  type RestreamDraft,
  toCreateRestreamRequest,
  toUpdateRestreamRequest,
} from "./restreamDraft.ts";

const streamId = "7b0c7d9e-3c61-4f0a-9a57-0d6f3f1c2a10";
const draft = (changes: Partial<RestreamDraft>): RestreamDraft => ({
  ...emptyRestreamDraft("Europe/Paris"),
  title: "Friday show",
  streamId,
  ...changes,
});

describe("destinationUrl", () => {
  it("joins a server and a key as OBS would send them", () => {
    expect(destinationUrl("rtmp://a.rtmp.youtube.com/live2/", " abcd-efgh ")).toBe(
      "rtmp://a.rtmp.youtube.com/live2/abcd-efgh",
    );
    expect(destinationUrl("srt://host:9000?streamid=x", "")).toBe("srt://host:9000?streamid=x");
  });

  it("fills the server of the platforms that have one for everybody", () => {
    expect(emptyDestination("twitch").server).toBe("rtmp://live.twitch.tv/app");
    expect(emptyDestination("custom").server).toBe("");
  });
});

describe("toCreateRestreamRequest", () => {
  it("sends one of our streams to two platforms at once, as the API accepts it", () => {
    const request = toCreateRestreamRequest(
      draft({
        destinations: [
          { ...emptyDestination("youtube"), streamKey: "yt-key-1234" },
          { ...emptyDestination("twitch"), streamKey: "live_999_abc", enabled: false },
        ],
      }),
    );
    expect(request).toEqual({
      title: "Friday show",
      description: "",
      input_type: "rtmp",
      stream_id: streamId,
      output_destinations: [
        { platform: "youtube", url: "rtmp://a.rtmp.youtube.com/live2/yt-key-1234", enabled: true },
        { platform: "twitch", url: "rtmp://live.twitch.tv/app/live_999_abc", enabled: false },
      ],
      schedule_type: "immediate",
      schedule_config: {},
      loop_enabled: false,
      simulate_live: true,
    });
    expect(createRestreamRequestSchema.safeParse(request).success).toBe(true);
  });

  it("loops a file on a weekly schedule for an hour", () => {
    const request = toCreateRestreamRequest(
      draft({
        inputType: "file",
        inputUrl: " fs://media/loop.mp4 ",
        scheduleType: "recurring",
        cron: "0 20 * * 5",
        durationMinutes: "60",
        loop: true,
        destinations: [{ ...emptyDestination("custom"), server: "srt://relay.example.org:9000" }],
      }),
    );
    expect(request).toMatchObject({
      input_type: "file",
      input_url: "fs://media/loop.mp4",
      schedule_type: "recurring",
      schedule_config: { cron: "0 20 * * 5", timezone: "Europe/Paris", duration_seconds: 3600 },
      loop_enabled: true,
    });
    expect(request).not.toHaveProperty("stream_id");
    expect(createRestreamRequestSchema.safeParse(request).success).toBe(true);
  });

  it("starts a finished job's output at a local time, sent as an instant", () => {
    const request = toCreateRestreamRequest(
      draft({
        inputType: "vod_job",
        jobId: streamId,
        scheduleType: "scheduled",
        startAt: "2026-12-24T18:30",
        destinations: [{ ...emptyDestination("youtube"), streamKey: "k" }],
      }),
    );
    expect(request.schedule_config).toEqual({ start_at: localDateTimeToIso("2026-12-24T18:30") });
    expect(new Date(request.schedule_config?.start_at ?? "").getHours()).toBe(18);
    expect(createRestreamRequestSchema.safeParse(request).success).toBe(true);
  });

  it("refuses a local time it cannot read", () => {
    expect(localDateTimeToIso("24/12/2026 18:30")).toBeNull();
  });
});

describe("editing a restream", () => {
  const detail: RestreamDetail = {
    id: "9d1c7d9e-3c61-4f0a-9a57-0d6f3f1c2a12",
    title: "Friday show",
    description: "weekly",
    input_type: "rtmp",
    stream_id: streamId,
    input_url: null,
    job_id: null,
    output_key: null,
    output_destinations: [
      {
        id: "0a1c7d9e-3c61-4f0a-9a57-0d6f3f1c2a13",
        platform: "youtube",
        url: "rtmp://a.rtmp.youtube.com/live2/••••abcd",
        enabled: true,
        transcode: null,
        status: "idle",
        bitrate_kbps: null,
        uptime_seconds: null,
        skips: null,
        error_count: 0,
        last_error: null,
      },
      {
        id: "0b1c7d9e-3c61-4f0a-9a57-0d6f3f1c2a14",
        platform: "twitch",
        url: "rtmp://live.twitch.tv/app/••••wxyz",
        enabled: true,
        transcode: { video_bitrate_kbps: 6000, audio_bitrate_kbps: 160 },
        status: "idle",
        bitrate_kbps: null,
        uptime_seconds: null,
        skips: null,
        error_count: 0,
        last_error: null,
      },
    ],
    schedule_type: "recurring",
    schedule_config: { cron: "0 20 * * 5", timezone: "Europe/Paris", duration_seconds: 5400 },
    loop_enabled: false,
    simulate_live: true,
    status: "stopped",
    run_id: null,
    started_at: null,
    stopped_at: null,
    stop_reason: null,
    last_error: null,
    uptime_seconds: null,
    revision: 3,
    created_at: "2026-12-03T08:00:00.000Z",
    updated_at: "2026-12-03T08:00:00.000Z",
  };

  it("keeps the URLs it cannot see, sends a new key and a new destination, at the revision it read; a re-encode kept as it was", () => {
    const draft = draftFromRestream(detail, "UTC");
    expect(draft).toMatchObject({ cron: "0 20 * * 5", timezone: "Europe/Paris", durationMinutes: "90" });
    const edited: RestreamDraft = {
      ...draft,
      destinations: [
        draft.destinations[0]!,
        { ...draft.destinations[1]!, server: "rtmp://live.twitch.tv/app", streamKey: "live_new_key" },
        { ...emptyDestination("custom"), server: "srt://relay.example.org:9000", reencodeKbps: "2500" },
      ],
    };
    expect(draft.destinations.map((d) => d.reencodeKbps)).toEqual(["", "6000"]);
    const request = toUpdateRestreamRequest(edited, detail.revision);
    expect(request.revision).toBe(3);
    expect(request.output_destinations).toEqual([
      { id: "0a1c7d9e-3c61-4f0a-9a57-0d6f3f1c2a13", platform: "youtube", enabled: true },
      {
        id: "0b1c7d9e-3c61-4f0a-9a57-0d6f3f1c2a14",
        platform: "twitch",
        url: "rtmp://live.twitch.tv/app/live_new_key",
        enabled: true,
        transcode: { video_bitrate_kbps: 6000, audio_bitrate_kbps: 160 },
      },
      {
        platform: "custom",
        url: "srt://relay.example.org:9000",
        enabled: true,
        transcode: { video_bitrate_kbps: 2500, audio_bitrate_kbps: 128 },
      },
    ]);
    expect(updateRestreamRequestSchema.safeParse(request).success).toBe(true);
  });

  it("shows a scheduled start in local time and sends back the same instant", () => {
    const start = "2026-12-24T17:30:00.000Z";
    const draft = draftFromRestream(
      { ...detail, schedule_type: "scheduled", schedule_config: { start_at: start } },
      "UTC",
    );
    expect(toUpdateRestreamRequest(draft, 3).schedule_config).toEqual({ start_at: start });
  });
});
