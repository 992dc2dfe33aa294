import { describe, expect, it } from "vitest";
import { checkDestinationUrl, maskDestinationUrl } from "./destinationUrl.ts";

describe("destination URLs", () => {
  it("accepts RTMP, RTMPS and SRT URLs of the platforms", () => {
    for (const url of [
      "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop",
      "rtmp://live.twitch.tv/app/live_123_abc",
      "rtmps://live-api-s.facebook.com:443/rtmp/FB-1234-0-AbCd",
      "rtmp://127.0.0.1:19350/live/x",
      "srt://ingest.example.com:9000?streamid=publish/live/key&passphrase=secretsecret",
    ]) {
      expect(checkDestinationUrl(url), url).toEqual({ ok: true });
    }
  });

  it("refuses other schemes, a missing key, a missing SRT port and spaces (WE-STR-005)", () => {
    const reasons = [
      "http://example.com/live/key",
      "rtmp://a.rtmp.youtube.com/live2",
      "rtmp://a.rtmp.youtube.com/",
      "srt://ingest.example.com?streamid=x",
      "rtmp://host/app/key -f null",
      "not a url",
      "file:///etc/passwd",
    ].map((url) => checkDestinationUrl(url));
    expect(reasons.every((check) => !check.ok)).toBe(true);
  });

  it("masks the stream key but for its last four characters", () => {
    expect(maskDestinationUrl("rtmp://a.rtmp.youtube.com/live2/xxxx-yyyy-zzzz-abcd")).toBe(
      "rtmp://a.rtmp.youtube.com/live2/••••abcd",
    );
    expect(maskDestinationUrl("rtmps://live-api-s.facebook.com:443/rtmp/FB-1234-0-AbCd")).toBe(
      "rtmps://live-api-s.facebook.com:443/rtmp/••••AbCd",
    );
    expect(maskDestinationUrl("rtmp://127.0.0.1:1935/live/abc")).toBe("rtmp://127.0.0.1:1935/live/••••");
  });

  it("masks credentials and secret query values, and a URL it cannot read whole", () => {
    const masked = maskDestinationUrl(
      "srt://host.example:9000?streamid=publish:supersecretkey&passphrase=pp12345678&latency=200",
    );
    expect(masked).toBe("srt://host.example:9000?streamid=••••tkey&passphrase=••••5678&latency=200");
    expect(maskDestinationUrl("rtmp://user:hunter22@host/app/key12345")).toBe(
      "rtmp://••••@host/app/••••2345",
    );
    expect(maskDestinationUrl("garbage key1234")).toBe("••••");
    for (const secret of ["supersecretkey", "hunter22", "key12345"]) {
      expect(masked + maskDestinationUrl("rtmp://user:hunter22@host/app/key12345")).not.toContain(secret);
    }
  });
});
