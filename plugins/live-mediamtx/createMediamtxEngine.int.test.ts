// The MediaMTX engine's side of MediaMTX: its auth hook answers as MediaMTX expects (2xx allows), asking
// its host about each publish. With MEDIAMTX_URL (the API of a running MediaMTX whose auth hook points
// at MEDIAMTX_AUTH_HOOK_PORT on this machine, and MEDIAMTX_RTMP_HOST), a real publisher goes through it.
import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../sdk/liveEngine.ts";
import { createMediamtxEngine } from "./createMediamtxEngine.ts";

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("live-mediamtx auth hook", () => {
  it("allows a publish the host allows, refuses the rest, and lets only its own readers read", async () => {
    const engine = createMediamtxEngine({
      apiUrl: "http://127.0.0.1:9",
      authHookPort: 0,
      readHost: "127.0.0.1",
    });
    const events = engine.startIngest({ rtmpPort: 1935, srtPort: 8890, publicHost: "ingest.example.com" });
    const seen: EngineEvent[] = [];
    const reading = (async () => {
      for await (const event of events) {
        seen.push(event);
        if (event._tag === "PublishRequested") {
          await engine.decidePublish(
            event.attemptId,
            event.streamKey === "good_key"
              ? { _tag: "PublishAllowed", streamId: "s1" }
              : { _tag: "PublishDenied", reason: "unknown key" },
          );
        }
      }
    })();
    while (engine.authHookUrl() === null || seen.length < 2) await new Promise((r) => setTimeout(r, 20));
    const hook = engine.authHookUrl() ?? "";
    expect(seen.slice(0, 2)).toEqual([
      { _tag: "Listening", protocol: "rtmp", url: "rtmp://ingest.example.com:1935/live" },
      { _tag: "Listening", protocol: "srt", url: "srt://ingest.example.com:8890" },
    ]);

    const publish = { action: "publish", protocol: "rtmp", ip: "203.0.113.9", user: "", password: "" };
    expect((await post(hook, { ...publish, path: "live/good_key" })).status).toBe(200);
    expect((await post(hook, { ...publish, path: "live/bad_key" })).status).toBe(401);
    expect(seen.filter((event) => event._tag === "PublishRequested")).toEqual([
      expect.objectContaining({ streamKey: "good_key", protocol: "rtmp", remoteAddress: "203.0.113.9" }),
      expect.objectContaining({ streamKey: "bad_key" }),
    ]);
    expect(
      (await post(hook, { action: "read", path: "live/good_key", user: "x", password: "y" })).status,
    ).toBe(401);
    expect((await post(hook, { action: "api", path: "" })).status).toBe(401);

    await events[Symbol.asyncIterator]().return?.();
    await reading;
  });

  it.skipIf(!process.env.MEDIAMTX_URL)(
    "takes a real publisher through MediaMTX",
    async () => {
      // Run against a MediaMTX with api: yes, authMethod: http, authHTTPAddress at this machine's hook port.
      const { spawn } = await import("node:child_process");
      const engine = createMediamtxEngine({
        apiUrl: process.env.MEDIAMTX_URL ?? "",
        authHookPort: Number(process.env.MEDIAMTX_AUTH_HOOK_PORT ?? 8600),
        authHookHost: "0.0.0.0",
        readHost: process.env.MEDIAMTX_RTMP_HOST ?? "127.0.0.1",
      });
      const host = process.env.MEDIAMTX_RTMP_HOST ?? "127.0.0.1";
      const events = engine.startIngest({ rtmpPort: 1935, srtPort: null, publicHost: host });
      const seen: EngineEvent[] = [];
      const reading = (async () => {
        for await (const event of events) {
          seen.push(event);
          if (event._tag === "PublishRequested") {
            await engine.decidePublish(event.attemptId, { _tag: "PublishAllowed", streamId: "s1" });
          }
        }
      })();
      const publisher = spawn("ffmpeg", [
        ...["-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "8"],
        ...["-c:v", "libx264", "-preset", "ultrafast", "-f", "flv", `rtmp://${host}:1935/live/any_key`],
      ]);
      await new Promise((resolve) => publisher.once("exit", resolve));
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(seen.map((event) => event._tag)).toEqual(
        expect.arrayContaining(["PublishRequested", "Publishing", "PublisherLeft"]),
      );
      await events[Symbol.asyncIterator]().return?.();
      await reading;
    },
    60_000,
  );
});
