import { Hono } from "hono";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import type { EncodeProfile } from "../../plugins/sdk/encoderPlugin.ts";
import type { ListProfilesResponse } from "../../schemas/api/profileResponses.ts";

export function profileRoutes(profiles: Readonly<Record<string, EncodeProfile>>) {
  return new Hono<HttpEnv>().get("/v1/profiles", requireRole("viewer"), (c) =>
    c.json({
      profiles: Object.values(profiles).map((p) => ({
        id: p.name,
        container: p.container,
        video: {
          codec: p.video.codec,
          max_width: p.video.maxWidth,
          max_height: p.video.maxHeight,
          bitrate_kbps: p.video.bitrateKbps,
          max_fps: p.video.maxFps,
          preset: p.video.preset,
          upscale: p.video.upscale ?? false,
        },
        audio:
          p.audio === null
            ? null
            : { codec: p.audio.codec, bitrate_kbps: p.audio.bitrateKbps, channels: p.audio.channels },
        hardware: p.hardware,
      })),
    } satisfies ListProfilesResponse),
  );
}
