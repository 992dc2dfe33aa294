import { describe, expect, it } from "vitest";
import { mediamtxPluginConfig } from "./mediamtxPluginConfig.ts";

const platform = { listenHost: "0.0.0.0", publicHost: "ingest.example.com" };

describe("mediamtxPluginConfig", () => {
  it("fills what plugins.toml leaves out: hook port 8600, MediaMTX's usual ports, reads at api_url's host", () => {
    expect(mediamtxPluginConfig({ api_url: "http://mediamtx:9997" }, platform)).toEqual({
      engine: {
        apiUrl: "http://mediamtx:9997",
        authHookPort: 8600,
        authHookHost: "0.0.0.0",
        readHost: "mediamtx",
      },
      ingest: { rtmpPort: 1935, srtPort: 8890, publicHost: "ingest.example.com" },
    });
  });

  it("takes the ports and read host given, and srt_port 0 as no SRT", () => {
    const config = { api_url: "http://10.0.0.5:9997", auth_hook_port: 9600, read_host: "mtx.internal" };
    expect(mediamtxPluginConfig({ ...config, rtmp_port: 1936, srt_port: 0 }, platform)).toMatchObject({
      engine: { authHookPort: 9600, readHost: "mtx.internal" },
      ingest: { rtmpPort: 1936, srtPort: null },
    });
  });

  it("refuses an api_url that is not a URL", () => {
    expect(() => mediamtxPluginConfig({ api_url: "http://[mediamtx" }, platform)).toThrow(
      /api_url: .* is not a URL/,
    );
  });
});
