// A file restream starts at the file's beginning on its destinations and ends after its end has reached
// them: a 3 s clip whose first second is red, restreamed to a real RTMP receiver that takes a second to
// answer (as a distant ingest does), arrives whole (its duration within 0.3 s) and red first, read at its
// own pace or as fast as it can be; a destination that hangs holds the start for a bound only; one that
// takes the stream slower than the file is read still gets all of it before the run ends.
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { createServer, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DestinationState } from "../../schemas/events/restreamEvents.ts";
import { until } from "../../test/support/kernelApi.ts";
import { probe } from "../../test/support/mediaClip.ts";
import {
  freeTcpPort,
  type RtmpReceiver,
  startRtmpReceiver,
  videoPacketTimes,
} from "../../test/support/rtmpReceiver.ts";
import { startRestreamRun } from "./restreamRun.ts";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CLIP_SECONDS = 3;

let dir: string;
let clip: string;
let largeClip: string;

/** The red-first clip; lossless at 720p, it is about 3.6 MB: more than the sockets on the way hold. */
async function makeClip(file: string, size: string, lossless: boolean) {
  await run("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", `color=c=red:s=${size}:r=25:d=1`],
    ...["-f", "lavfi", "-i", `testsrc2=s=${size}:r=25:d=${CLIP_SECONDS - 1}`],
    ...["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${CLIP_SECONDS}`],
    ...["-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]", "-map", "[v]", "-map", "2:a"],
    ...["-c:v", "libx264", "-preset", "ultrafast", ...(lossless ? ["-qp", "0"] : []), "-g", "25"],
    ...["-c:a", "aac", "-shortest", file],
  ]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-file-restream-"));
  clip = join(dir, "clip.mp4");
  largeClip = join(dir, "large.mp4");
  await Promise.all([makeClip(clip, "320x240", false), makeClip(largeClip, "1280x720", true)]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The first decoded picture's colour, averaged to one pixel. */
async function firstFrameColour(file: string): Promise<[number, number, number]> {
  const { stdout } = await run(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-i", file, "-frames:v", "1"],
      ...["-vf", "scale=1:1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
    ],
    { encoding: "buffer" },
  );
  return [stdout[0]!, stdout[1]!, stdout[2]!];
}

/** A TCP server that takes connections and never answers: an ingest that hangs in the handshake. */
async function startSilentServer(port: number) {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `rtmp://127.0.0.1:${port}/live/stream-key-0002`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A TCP proxy in front of a receiver that answers each connection only after delayMs. */
async function startLateProxy(port: number, target: number, delayMs: number) {
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    client.pause();
    sockets.push(client);
    client.on("error", () => {});
    setTimeout(() => {
      const upstream = tcpConnect(target, "127.0.0.1");
      sockets.push(upstream);
      upstream.on("error", () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A TCP proxy in front of a receiver that passes what the publisher sends at bytesPerSecond: a
 * destination on a link slower than the file is read.
 */
async function startSlowLink(port: number, target: number, bytesPerSecond: number) {
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    sockets.push(client);
    client.on("error", () => {});
    const upstream = tcpConnect(target, "127.0.0.1");
    sockets.push(upstream);
    upstream.on("error", () => client.destroy());
    upstream.pipe(client);
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      client.pause();
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    // the publisher ended (or dropped) its connection: so does the link, once it passed what it read
    client.on("close", () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A receiver's URL with the port of what stands in front of it (a late answer, a slow link). */
const through = (receiver: RtmpReceiver, port: number, via: number) =>
  receiver.url.replace(`:${port}/`, `:${via}/`);

/** Restreams a clip to the given destinations until the file ends; when it ended, after the start. */
async function restreamClip(
  destinations: { destinationId: string; url: string }[],
  options: { realtime: boolean; holdStartMs?: number; file?: string },
) {
  const reports: { destinationId: string; state: DestinationState }[] = [];
  const ended: string[] = [];
  const startedAt = Date.now();
  const restream = startRestreamRun({
    runId: "3d7e1c2b-5a4f-4e6d-9b8a-1c2d3e4f5a00",
    input: { url: options.file ?? clip, live: false, loop: false, realtime: options.realtime },
    destinations: destinations.map((d) => ({ ...d, masked: d.url.replace(/[^/]+$/, "••••") })),
    ffmpegPath: "ffmpeg",
    report: (destinationId, state) => reports.push({ destinationId, state }),
    ended: (reason) => ended.push(reason),
    log: (message) => process.env.RESTREAM_TEST_LOG && console.log(message),
    ...(options.holdStartMs === undefined ? {} : { holdStartMs: options.holdStartMs }),
  });
  try {
    await until(
      async () => ended,
      (e) => e.length > 0,
      "the file ended",
      30_000,
    );
  } finally {
    await restream.stop();
  }
  return { endedAfterMs: Date.now() - startedAt, ended, reports };
}

async function expectWholeClip(file: string) {
  const media = await probe(file);
  expect(Math.abs(media.durationSec - CLIP_SECONDS)).toBeLessThan(0.3);
  const times = await videoPacketTimes(file);
  expect(Math.abs(times.at(-1)! + 0.04 - times[0]! - CLIP_SECONDS)).toBeLessThan(0.3);
  const [r, g, b] = await firstFrameColour(file);
  expect(r).toBeGreaterThan(200);
  expect(g).toBeLessThan(60);
  expect(b).toBeLessThan(60);
}

describe("a file restream", () => {
  for (const realtime of [true, false]) {
    it(`starts at the file's beginning on its destination (${realtime ? "at the media's pace" : "as fast as it reads"})`, async () => {
      const [port, proxyPort] = await Promise.all([freeTcpPort(), freeTcpPort()]);
      const receiver = startRtmpReceiver(port, join(dir, `whole-${realtime}.flv`));
      const proxy = await startLateProxy(proxyPort, port, 1000);
      try {
        const { ended } = await restreamClip(
          [
            {
              destinationId: "3d7e1c2b-5a4f-4e6d-9b8a-1c2d3e4f5a01",
              url: through(receiver, port, proxyPort),
            },
          ],
          { realtime },
        );
        expect(ended).toEqual(["input_ended"]);
      } finally {
        await receiver.finish();
        await proxy.close();
      }
      await expectWholeClip(receiver.file);
    }, 60_000);
  }

  it("ends only once a destination slower than the file is read has taken all of it", async () => {
    const [port, linkPort] = await Promise.all([freeTcpPort(), freeTcpPort()]);
    const receiver = startRtmpReceiver(port, join(dir, "slow-link.flv"));
    const bytesPerSecond = 1_000_000;
    const link = await startSlowLink(linkPort, port, bytesPerSecond);
    await receiver.listening();
    try {
      const { endedAfterMs, ended } = await restreamClip(
        [
          {
            destinationId: "3d7e1c2b-5a4f-4e6d-9b8a-1c2d3e4f5a04",
            url: through(receiver, port, linkPort),
          },
        ],
        { realtime: false, file: largeClip },
      );
      expect(ended).toEqual(["input_ended"]);
      // read in a blink, the file takes the link size ÷ rate: the run ended after that, not before
      const { size } = await stat(largeClip);
      expect(endedAfterMs).toBeGreaterThan((size / bytesPerSecond) * 1000 * 0.8);
    } finally {
      await receiver.finish();
      await link.close();
    }
    await expectWholeClip(receiver.file);
  }, 60_000);

  it("drops a connection still taking the file's end at once when the run is stopped", async () => {
    const [port, linkPort] = await Promise.all([freeTcpPort(), freeTcpPort()]);
    const receiver = startRtmpReceiver(port, join(dir, "stopped-slow-link.flv"));
    // the whole file takes the link about 18 s
    const link = await startSlowLink(linkPort, port, 200_000);
    await receiver.listening();
    const receiverEnded = new Promise<number>((resolve) =>
      receiver.process.once("close", () => resolve(Date.now())),
    );
    const reports: DestinationState[] = [];
    const ended: string[] = [];
    const restream = startRestreamRun({
      runId: "3d7e1c2b-5a4f-4e6d-9b8a-1c2d3e4f5a06",
      input: { url: largeClip, live: false, loop: false, realtime: false },
      destinations: [
        {
          destinationId: "3d7e1c2b-5a4f-4e6d-9b8a-1c2d3e4f5a07",
          url: through(receiver, port, linkPort),
          masked: "rtmp://127.0.0.1/live/••••",
        },
      ],
      ffmpegPath: "ffmpeg",
      report: (_destination, state) => reports.push(state),
      ended: (reason) => ended.push(reason),
      log: () => {},
    });
    try {
      await until(
        async () => reports,
        (r) => r.includes("live"),
        "the destination live",
        20_000,
      );
      await sleep(1000); // the file, read as fast as it can be, has ended; its tail is on the link
      const stoppedAt = Date.now();
      await restream.stop();
      // the destination's connection went with the run, long before the link could have passed the file
      expect((await receiverEnded) - stoppedAt).toBeLessThan(5000);
      expect(ended).toEqual([]);
    } finally {
      await restream.stop();
      await receiver.close();
      await link.close();
    }
  }, 60_000);

  it("holds its start for one destination that hangs no longer than the bound", async () => {
    const receiver = startRtmpReceiver(await freeTcpPort(), join(dir, "beside-hung.flv"));
    const hung = await startSilentServer(await freeTcpPort());
    const holdStartMs = 2000;
    await sleep(500); // the receiver listens: its first connection is taken, not refused
    try {
      const { endedAfterMs, ended } = await restreamClip(
        [
          { destinationId: "3d7e1c2b-5a4f-4e6d-9b8a-1c2d3e4f5a02", url: receiver.url },
          { destinationId: "3d7e1c2b-5a4f-4e6d-9b8a-1c2d3e4f5a03", url: hung.url },
        ],
        { realtime: true, holdStartMs },
      );
      expect(ended).toEqual(["input_ended"]);
      // held for the bound, then the clip at its own pace: not before, and not much after
      expect(endedAfterMs).toBeGreaterThanOrEqual(holdStartMs + CLIP_SECONDS * 1000 - 500);
      expect(endedAfterMs).toBeLessThan(holdStartMs + CLIP_SECONDS * 1000 + 3000);
    } finally {
      await Promise.all([receiver.finish(), hung.close()]);
    }
    await expectWholeClip(receiver.file);
  }, 60_000);
});
