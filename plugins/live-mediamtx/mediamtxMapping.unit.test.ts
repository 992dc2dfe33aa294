import { describe, expect, it } from "vitest";
import { mediamtxAccess } from "./mediamtxAuthRequest.ts";
import { codecsOf, kickPathOf, mediamtxPaths } from "./mediamtxPaths.ts";

describe("mediamtxAccess", () => {
  it("takes a publish to live/{key} over RTMP or SRT as a publish attempt with that key", () => {
    const body = {
      user: "",
      password: "",
      token: "",
      ip: "203.0.113.9",
      action: "publish",
      path: "live/live_3f9c2b7e5d1a4c8b9e0f",
      protocol: "rtmp",
      id: "d0c1…",
      query: "",
    };
    expect(mediamtxAccess(body)).toEqual({
      _tag: "Publish",
      protocol: "rtmp",
      path: "live/live_3f9c2b7e5d1a4c8b9e0f",
      streamKey: "live_3f9c2b7e5d1a4c8b9e0f",
      remoteAddress: "203.0.113.9",
    });
    expect(mediamtxAccess({ ...body, protocol: "srt" })).toMatchObject({ _tag: "Publish", protocol: "srt" });
  });

  it("takes a read with the reader's credentials, and refuses anything else", () => {
    expect(
      mediamtxAccess({ action: "read", path: "live/k", user: "u", password: "p", protocol: "rtmp" }),
    ).toEqual({
      _tag: "Read",
      path: "live/k",
      user: "u",
      password: "p",
    });
    expect(mediamtxAccess({ action: "api", path: "" })).toMatchObject({ _tag: "Other" });
    expect(mediamtxAccess({ action: "publish", path: "live/k", protocol: "webrtc" })).toMatchObject({
      _tag: "Other",
    });
    expect(mediamtxAccess({ action: "publish", path: "other/k", protocol: "rtmp" })).toMatchObject({
      _tag: "Other",
    });
    expect(mediamtxAccess({ action: "publish", path: "live/a/b", protocol: "rtmp" })).toMatchObject({
      _tag: "Other",
    });
    expect(mediamtxAccess("publish")).toMatchObject({ _tag: "Other" });
  });
});

describe("mediamtxPaths", () => {
  it("reads the paths list of MediaMTX's API v3", () => {
    const body = {
      itemCount: 2,
      pageCount: 1,
      items: [
        {
          name: "live/k1",
          confName: "all_others",
          source: { type: "rtmpConn", id: "9a1f" },
          ready: true,
          readyTime: "2026-12-03T08:00:00Z",
          tracks: ["H264", "MPEG-4 Audio"],
          bytesReceived: 123456,
          bytesSent: 0,
          readers: [{ type: "rtmpConn", id: "77" }],
        },
        { name: "live/k2", source: null, ready: false, tracks: [], bytesReceived: 0, readers: [] },
      ],
    };
    expect(mediamtxPaths(body)).toEqual([
      {
        name: "live/k1",
        ready: true,
        source: { type: "rtmpConn", id: "9a1f" },
        bytesReceived: 123456,
        readers: 1,
        tracks: ["H264", "MPEG-4 Audio"],
      },
      { name: "live/k2", ready: false, source: null, bytesReceived: 0, readers: 0, tracks: [] },
    ]);
    expect(mediamtxPaths({})).toEqual([]);
  });

  it("kicks each kind of publisher through its own API route", () => {
    expect(kickPathOf({ type: "rtmpConn", id: "9a1f" })).toBe("/v3/rtmpconns/kick/9a1f");
    expect(kickPathOf({ type: "srtConn", id: "x y" })).toBe("/v3/srtconns/kick/x%20y");
    expect(kickPathOf({ type: "webRTCSession", id: "w" })).toBe("/v3/webrtcsessions/kick/w");
    expect(kickPathOf({ type: "hlsSource", id: "" })).toBeNull();
  });

  it("names the tracks' codecs as the telemetry does", () => {
    expect(codecsOf(["H265", "Opus"])).toEqual({ video: "hevc", audio: "opus" });
    expect(codecsOf(["MPEG-4 Audio"])).toEqual({ video: null, audio: "aac" });
  });
});
