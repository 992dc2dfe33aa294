// The RTMP client against a real server: `ffmpeg -listen 1` takes the handshake, connect, createStream and
// publish, and what it records decodes. Over RTMPS, a TLS terminator with a certificate of its own in front
// of the same kind of receiver: trusted through its CA, refused without it.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:tls";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../test/support/mediaClip.ts";
import { freeTcpPort, type RtmpReceiver, startRtmpReceiver } from "../../test/support/rtmpReceiver.ts";
import { createFlvTagReader, type FlvTag } from "./flvTags.ts";
import { connectRtmpPublisher, type RtmpPublishConnection } from "./rtmpPublishConnection.ts";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let tags: FlvTag[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-rtmp-client-"));
  // three seconds of small H.264 + AAC, as the switcher hands tags on
  tags = [];
  const read = createFlvTagReader((tag) => tags.push(tag));
  const source = spawn(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "3"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-f", "flv", "pipe:1"],
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  source.stdout.on("data", read);
  await new Promise((resolve) => source.once("close", resolve));
  await run("openssl", [
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"],
    ...[
      "-addext",
      "subjectAltName=DNS:localhost",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every tag, waiting for the socket whenever it is full, then the end of the publish. */
async function publishAll(connection: RtmpPublishConnection, drained: { wait: () => Promise<void> }) {
  for (const tag of tags) if (!connection.send(tag.type, tag.timestamp, tag.body)) await drained.wait();
  await connection.close();
}

function drainSignal() {
  let waiters: (() => void)[] = [];
  return {
    wait: () => new Promise<void>((resolve) => waiters.push(resolve)),
    onDrain: () => {
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    },
  };
}

/** The receiver ends on its own when the publisher leaves; its file then holds the whole publish. */
async function recorded(receiver: RtmpReceiver) {
  if (receiver.process.exitCode === null) {
    const killer = setTimeout(() => void receiver.close(), 10_000);
    await new Promise((resolve) => receiver.process.once("close", resolve));
    clearTimeout(killer);
  }
  return probe(receiver.file);
}

/** Publishes until the receiver listens (ffmpeg takes a moment to bind; the TLS terminator then closes). */
async function connectWhenListening(url: string, options: { tls?: { ca: Buffer } } = {}) {
  const drained = drainSignal();
  for (let attempt = 0; ; attempt++) {
    try {
      const connection = await connectRtmpPublisher({
        url,
        ...options,
        onDrain: drained.onDrain,
        onClose: () => {},
      });
      return { connection, drained };
    } catch (error) {
      if (attempt > 40 || !/ECONNREFUSED|closed the connection before/.test((error as Error).message))
        throw error;
      await sleep(250);
    }
  }
}

describe("the RTMP publishing client", () => {
  it("publishes to an ffmpeg RTMP server: handshake, connect, createStream, publish, then tags it records", async () => {
    const receiver = startRtmpReceiver(await freeTcpPort(), join(dir, "rtmp.flv"));
    try {
      const { connection, drained } = await connectWhenListening(receiver.url);
      await publishAll(connection, drained);
      const media = await recorded(receiver);
      expect(media.video?.codec).toBe("h264");
      expect(media.audio?.codec).toBe("aac");
      expect(media.durationSec).toBeGreaterThan(2.5);
    } finally {
      await receiver.close();
    }
  }, 30_000);

  it("names the server, never the key, when nothing listens", async () => {
    const port = await freeTcpPort();
    const error = await connectRtmpPublisher({
      url: `rtmp://127.0.0.1:${port}/live/stream-key-0001`,
      onDrain: () => {},
      onClose: () => {},
    }).catch((e: Error) => e);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain("stream-key-0001");
  });

  describe("over TLS", () => {
    let terminator: Server;
    let receiver: RtmpReceiver;
    let tlsPort: number;
    beforeAll(async () => {
      const rtmpPort = await freeTcpPort();
      tlsPort = await freeTcpPort();
      receiver = startRtmpReceiver(rtmpPort, join(dir, "rtmps.flv"));
      terminator = createServer(
        { key: await readFile(join(dir, "key.pem")), cert: await readFile(join(dir, "cert.pem")) },
        (clear) => {
          const upstream = tcpConnect({ host: "127.0.0.1", port: rtmpPort });
          clear.pipe(upstream).pipe(clear);
          clear.on("error", () => upstream.destroy());
          upstream.on("error", () => clear.destroy());
        },
      );
      terminator.on("tlsClientError", () => {});
      await new Promise<void>((resolve) => terminator.listen(tlsPort, "127.0.0.1", resolve));
    });
    afterAll(async () => {
      await receiver.close();
      await new Promise((resolve) => terminator.close(resolve));
    });

    it("refuses a server whose certificate it cannot verify", async () => {
      const error = await connectRtmpPublisher({
        url: `rtmps://localhost:${tlsPort}/live/stream-key-0001`,
        onDrain: () => {},
        onClose: () => {},
      }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/certificate/i);
      expect((error as Error).message).not.toContain("stream-key-0001");
    });

    it("publishes through TLS to a server with a certificate of its CA", async () => {
      const ca = await readFile(join(dir, "cert.pem"));
      const url = `rtmps://localhost:${tlsPort}/live/stream-key-0001`;
      const { connection, drained } = await connectWhenListening(url, { tls: { ca } });
      await publishAll(connection, drained);
      const media = await recorded(receiver);
      expect(media.video?.codec).toBe("h264");
      expect(media.audio?.codec).toBe("aac");
      expect(media.durationSec).toBeGreaterThan(2.5);
    }, 30_000);
  });
});
