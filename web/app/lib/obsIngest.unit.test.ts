import { describe, expect, it } from "vitest";
import { maskKeyIn, maskStreamIdIn, maskStreamKey } from "./maskStreamKey.ts";
import { obsIngest } from "./obsIngest.ts";

const key = "live_abcdefghijklmnopqrstuvwxyz012345";
const urls = {
  rtmp: "rtmp://ingest.example.org:1935/live",
  srt: `srt://ingest.example.org:8890?streamid=publish:${key}`,
};

describe("obsIngest", () => {
  it("gives OBS the RTMP server and the key apart", () => {
    expect(obsIngest(urls, "rtmp", key)).toEqual({
      server: "rtmp://ingest.example.org:1935/live",
      streamKey: key,
    });
  });

  it("splits a key printed at the end of the RTMP URL off it", () => {
    expect(obsIngest({ ...urls, rtmp: `${urls.rtmp}/${key}` }, "rtmp", key)?.server).toBe(urls.rtmp);
  });

  it("gives SRT one URL and no key field", () => {
    expect(obsIngest(urls, "srt", key)).toEqual({ server: urls.srt, streamKey: null });
  });

  it("gives nothing for a protocol the platform does not serve now", () => {
    expect(obsIngest({ ...urls, rtmp: null }, "rtmp", key)).toBeNull();
    expect(obsIngest({ ...urls, srt: null }, "srt", key)).toBeNull();
  });
});

describe("maskStreamKey", () => {
  it("keeps only the last four characters", () => {
    expect(maskStreamKey(key)).toBe("••••••••2345");
    expect(maskStreamKey(key)).not.toContain("abcd");
  });

  it("masks the key inside a URL", () => {
    expect(maskKeyIn(urls.srt, key)).toBe("srt://ingest.example.org:8890?streamid=publish:••••••••2345");
  });

  it("masks the key of an SRT streamid without knowing the key", () => {
    expect(maskStreamIdIn(urls.srt)).toBe("srt://ingest.example.org:8890?streamid=publish:••••••••2345");
    expect(maskStreamIdIn("srt://h:8890?streamid=publish:••••2345&latency=200")).toBe(
      "srt://h:8890?streamid=publish:••••2345&latency=200",
    );
  });

  it("puts the key's hint where the API's URL leaves the key's place", () => {
    expect(maskStreamIdIn("srt://h:10080?streamid=publish:{stream_key}", "••••x9Qa")).toBe(
      "srt://h:10080?streamid=publish:••••x9Qa",
    );
  });
});
