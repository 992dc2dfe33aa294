// The embedded engine on its own, with real ffmpeg publishers and readers: what reaches a reader, and
// what never does.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishTestStream } from "../../test/support/publishTestStream.ts";
import type { EngineEvent, LiveEngine } from "../sdk/liveEngine.ts";
import { createEmbeddedEngine } from "./createEmbeddedEngine.ts";

/** Reads one second of a stream; the exit code says whether the engine let it. */
const readFor = (url: string) =>
  new Promise<number | null>((resolve) => {
    const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-rw_timeout", "5000000"];
    const child = spawn(
      process.env.FFMPEG_PATH ?? "ffmpeg",
      [...args, "-i", url, "-t", "1", "-f", "null", "-"],
      {
        stdio: "ignore",
      },
    );
    child.once("exit", (code) => resolve(code));
  });

describe("embedded engine", () => {
  let engine: LiveEngine;
  let events: AsyncIterator<EngineEvent>;
  const seen: EngineEvent[] = [];
  let rtmpUrl = "";
  let answer: "allow" | "ignore" = "allow";
  let reading: Promise<void>;

  beforeAll(async () => {
    engine = createEmbeddedEngine({ decisionTimeoutMs: 1000 });
    events = engine
      .startIngest({ rtmpPort: 0, srtPort: null, publicHost: "127.0.0.1" })
      [Symbol.asyncIterator]();
    reading = (async () => {
      for (;;) {
        const next = await events.next();
        if (next.done) return;
        seen.push(next.value);
        if (next.value._tag === "Listening") rtmpUrl = next.value.url;
        if (next.value._tag === "PublishRequested" && answer === "allow") {
          await engine.decidePublish(next.value.attemptId, { _tag: "PublishAllowed", streamId: "s7" });
        }
      }
    })();
    while (rtmpUrl === "") await new Promise((resolve) => setTimeout(resolve, 20));
  });

  afterAll(async () => {
    await events.return?.();
    await reading;
  });

  it("serves a live stream at its read URL only: not at its key, its id or a made-up token", async () => {
    const publisher = publishTestStream(`${rtmpUrl}/secret_key_1`, 8);
    while (!seen.some((event) => event._tag === "Publishing")) await new Promise((r) => setTimeout(r, 50));
    const publishing = seen.find((event) => event._tag === "Publishing");
    const readUrl = publishing?._tag === "Publishing" ? publishing.readUrl : "";
    const origin = rtmpUrl.replace(/\/live$/, "");
    expect(await readFor(readUrl)).toBe(0);
    expect(await readFor(`${rtmpUrl}/secret_key_1`)).not.toBe(0);
    expect(await readFor(`${rtmpUrl}/s7`)).not.toBe(0);
    expect(await readFor(`${origin}/read/${"0".repeat(32)}`)).not.toBe(0);
    publisher.child.kill("SIGKILL");
    await publisher.exit;
  }, 40_000);

  it("refuses a publisher the host does not answer in time", async () => {
    answer = "ignore";
    const publisher = publishTestStream(`${rtmpUrl}/secret_key_2`, 5);
    expect(await publisher.exit).not.toBe(0);
    expect(seen.filter((event) => event._tag === "Publishing")).toHaveLength(1);
  }, 20_000);
});

describe("embedded engine on taken ports", () => {
  /** Every event until each protocol asked for has listened or given up. */
  const startOn = async (config: Parameters<LiveEngine["startIngest"]>[0]) => {
    const engine = createEmbeddedEngine({ decisionTimeoutMs: 1000 });
    const events = engine.startIngest(config)[Symbol.asyncIterator]();
    const seen: EngineEvent[] = [];
    const settled = () =>
      seen.filter((event) => event._tag === "Listening" || event._tag === "ListenerUnavailable").length;
    while (settled() < 2) {
      const next = await events.next();
      if (next.done) break;
      seen.push(next.value);
    }
    return { engine, events, seen };
  };

  it("serves RTMP when the SRT port is taken, and says which port could not open", async () => {
    const occupant = createSocket("udp4");
    await new Promise<void>((resolve) => occupant.bind(0, "127.0.0.1", () => resolve()));
    const srtPort = occupant.address().port;
    const { events, seen } = await startOn({
      rtmpPort: 0,
      srtPort,
      publicHost: "127.0.0.1",
      listenHost: "127.0.0.1",
    });
    try {
      expect(seen).toContainEqual(
        expect.objectContaining({ _tag: "ListenerUnavailable", protocol: "srt", port: srtPort }),
      );
      const rtmp = seen.find((event) => event._tag === "Listening" && event.protocol === "rtmp");
      expect(rtmp).toBeDefined();
      expect(seen.some((event) => event._tag === "IngestFailed")).toBe(false);
    } finally {
      await events.return?.();
      occupant.close();
    }
  });

  it("serves SRT when the RTMP port is taken, and hands out no RTMP address", async () => {
    const occupant = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => occupant.listen(0, "127.0.0.1", () => resolve()));
    const address = occupant.address();
    const rtmpPort = typeof address === "object" && address !== null ? address.port : 0;
    const { events, seen } = await startOn({
      rtmpPort,
      srtPort: 0,
      publicHost: "127.0.0.1",
      listenHost: "127.0.0.1",
    });
    try {
      expect(seen).toContainEqual(
        expect.objectContaining({ _tag: "ListenerUnavailable", protocol: "rtmp", port: rtmpPort }),
      );
      expect(seen.some((event) => event._tag === "Listening" && event.protocol === "rtmp")).toBe(false);
      expect(seen).toContainEqual(expect.objectContaining({ _tag: "Listening", protocol: "srt" }));
    } finally {
      await events.return?.();
      await new Promise<void>((resolve) => occupant.close(() => resolve()));
    }
  });
});
