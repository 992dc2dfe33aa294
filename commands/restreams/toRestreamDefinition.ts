// A restream document as the API takes it (snake_case, URLs in clear) turned into the stored definition:
// every destination URL checked (WE-STR-005) and sealed, a kept destination's sealed URL carried over,
// the input and schedule fields the type needs present, a cron pattern croner can read.
import { Cron } from "croner";
import type { DestinationUrlSealer } from "../../domain/ports/destinationUrlSealer.ts";
import { checkDestinationUrl } from "../../domain/restream/destinationUrl.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { CreateRestreamRequest } from "../../schemas/api/restreamRequests.ts";
import type {
  RestreamDefinition,
  RestreamDestination,
  RestreamInput,
  RestreamSchedule,
} from "../../schemas/events/restreamEvents.ts";

const invalid = (message: string) => new ApiError("WE-STR-013", message);

function inputOf(document: CreateRestreamRequest): RestreamInput {
  switch (document.input_type) {
    case "rtmp":
      if (document.stream_id === undefined) throw invalid("stream_id: required for input_type rtmp");
      return { type: "rtmp", streamId: document.stream_id };
    case "file":
      if (document.input_url === undefined) throw invalid("input_url: required for input_type file");
      // remote files would have to be read through the egress proxy, which serves encodes only so far
      if (/^https?:\/\//i.test(document.input_url)) {
        throw invalid(
          "input_url: remote http(s) files cannot be restreamed yet; upload it (fs://) or use s3://",
        );
      }
      return { type: "file", url: document.input_url };
    case "vod_job":
      if (document.job_id === undefined) throw invalid("job_id: required for input_type vod_job");
      return {
        type: "vod_job",
        jobId: document.job_id,
        ...(document.output_key === undefined ? {} : { outputKey: document.output_key }),
      };
  }
}

function scheduleOf(document: CreateRestreamRequest): RestreamSchedule {
  const config = document.schedule_config;
  switch (document.schedule_type) {
    case "immediate":
      return { type: "immediate" };
    case "scheduled":
      if (config.start_at === undefined)
        throw invalid("schedule_config.start_at: required for schedule_type scheduled");
      return { type: "scheduled", startAt: config.start_at };
    case "recurring": {
      if (config.cron === undefined)
        throw invalid("schedule_config.cron: required for schedule_type recurring");
      try {
        new Cron(config.cron, {
          paused: true,
          ...(config.timezone ? { timezone: config.timezone } : {}),
        }).stop();
      } catch (error) {
        throw invalid(`schedule_config.cron: ${(error as Error).message}`);
      }
      return {
        type: "recurring",
        cron: config.cron,
        ...(config.timezone === undefined ? {} : { timezone: config.timezone }),
        ...(config.duration_seconds === undefined ? {} : { durationSeconds: config.duration_seconds }),
      };
    }
  }
}

export function toRestreamDefinition(
  document: CreateRestreamRequest,
  sealer: DestinationUrlSealer,
  newId: () => string,
  kept: readonly RestreamDestination[] = [],
): RestreamDefinition {
  const destinations = document.output_destinations.map((destination, index): RestreamDestination => {
    const { platform, enabled } = destination;
    const transcode =
      destination.transcode === undefined
        ? {}
        : {
            transcode: {
              videoBitrateKbps: destination.transcode.video_bitrate_kbps,
              audioBitrateKbps: destination.transcode.audio_bitrate_kbps,
            },
          };
    const previous =
      destination.id === undefined ? undefined : kept.find((d) => d.destinationId === destination.id);
    if (destination.id !== undefined && previous === undefined) {
      throw invalid(`output_destinations.${index}.id: no such destination of this restream`);
    }
    if (destination.url === undefined) {
      if (previous === undefined)
        throw invalid(`output_destinations.${index}.url: required for a new destination`);
      return { destinationId: previous.destinationId, platform, url: previous.url, enabled, ...transcode };
    }
    const check = checkDestinationUrl(destination.url);
    // the message names the field and the reason, never the URL: it holds the stream key
    if (!check.ok) throw new ApiError("WE-STR-005", `output_destinations.${index}.url: ${check.reason}`);
    return {
      destinationId: previous?.destinationId ?? newId(),
      platform,
      url: sealer.seal(destination.url),
      enabled,
      ...transcode,
    };
  });
  return {
    title: document.title,
    description: document.description,
    input: inputOf(document),
    destinations,
    schedule: scheduleOf(document),
    loop: document.loop_enabled,
    simulateLive: document.simulate_live,
  };
}
