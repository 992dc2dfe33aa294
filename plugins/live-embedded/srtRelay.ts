// SRT ingest on one UDP port for any number of publishers. ffmpeg's libsrt listener takes one connection
// per process and any stream id, so each caller gets its own ffmpeg listener on a loopback port, reached
// through this relay; the caller's conclusion handshake (which carries its stream id, the key) is held
// until the key is checked, so a refused caller never connects. An allowed caller's media is relayed
// by its ffmpeg into the engine's RTMP server, where every reader reads it.

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { srtConclusionStreamId } from "./srtConclusion.ts";
import { srtStreamKey } from "./srtStreamKey.ts";

export interface SrtRelayOptions {
  readonly port: number;
  /** The address to listen on; all interfaces when absent. */
  readonly host?: string;
  readonly ffmpegPath: string;
  /** Where a caller's ffmpeg publishes once allowed (an RTMP URL the engine accepts without asking). */
  readonly publishUrlOf: (flowId: string) => string;
  /** Asks whether a caller may publish with this key; true once allowed. */
  readonly requestPublish: (flow: {
    flowId: string;
    streamKey: string;
    remoteAddress: string;
  }) => Promise<boolean>;
  readonly log: (line: string) => void;
}

export interface SrtRelay {
  readonly port: number;
  /** ffmpeg listeners running now. */
  readonly pids: readonly number[];
  close(): Promise<void>;
}

interface Flow {
  readonly id: string;
  readonly remote: RemoteInfo;
  readonly backend: Socket;
  readonly backendPort: number;
  readonly child: ChildProcess;
  state: "handshaking" | "checking" | "open" | "refused";
  conclusion: Buffer | null;
  lastSeenMs: number;
  backendClosed: boolean;
}

const IDLE_FLOW_MS = 10_000;
const MAX_UNCHECKED_FLOWS = 16;

/** An SRT induction handshake: control packet of type 0, handshake type 1. */
const isInduction = (packet: Buffer) =>
  packet.length >= 16 + 48 && packet.readUInt16BE(0) === 0x8000 && packet.readUInt32BE(16 + 20) === 1;

export async function startSrtRelay(options: SrtRelayOptions): Promise<SrtRelay> {
  const front = createSocket("udp4");
  const flows = new Map<string, Flow>();

  const closeFlow = (key: string, flow: Flow) => {
    if (flows.get(key) === flow) flows.delete(key);
    flow.child.kill("SIGKILL");
    closeBackend(flow);
  };
  const closeBackend = (flow: Flow) => {
    if (flow.backendClosed) return;
    flow.backendClosed = true;
    flow.backend.close();
  };

  const openFlow = async (key: string, remote: RemoteInfo): Promise<Flow> => {
    const backendPort = await freeUdpPort();
    const id = randomBytes(16).toString("hex");
    const args = [
      ["-hide_banner", "-nostdin", "-loglevel", "error"],
      // A second of media is enough to know the streams; the default 5 s would hold the publish back.
      ["-analyzeduration", "1000000", "-probesize", "1000000"],
      ["-i", `srt://127.0.0.1:${backendPort}?mode=listener`],
      ["-map", "0", "-c", "copy", "-f", "flv", options.publishUrlOf(id)],
    ].flat();
    const child = spawn(options.ffmpegPath, args, { stdio: "ignore" });
    const backend = createSocket("udp4");
    backend.on("error", () => {});
    backend.on("message", (message) => front.send(message, remote.port, remote.address));
    await new Promise<void>((resolve) => backend.bind(0, "127.0.0.1", resolve));
    const flow: Flow = {
      id,
      remote,
      backend,
      backendPort,
      child,
      state: "handshaking",
      conclusion: null,
      lastSeenMs: Date.now(),
      backendClosed: false,
    };
    child.once("exit", () => {
      // A refused caller's flow stays, swallowing its retries, until it goes quiet.
      if (flow.state === "refused") closeBackend(flow);
      else closeFlow(key, flow);
    });
    return flow;
  };

  const check = (flow: Flow, streamKey: string) => {
    flow.state = "checking";
    options
      .requestPublish({ flowId: flow.id, streamKey, remoteAddress: flow.remote.address })
      .catch(() => false)
      .then((allowed) => {
        if (flow.state !== "checking") return;
        if (!allowed) {
          flow.state = "refused";
          flow.child.kill("SIGKILL");
          return;
        }
        flow.state = "open";
        if (flow.conclusion !== null) flow.backend.send(flow.conclusion, flow.backendPort, "127.0.0.1");
      });
  };

  const opening = new Map<string, Promise<Flow>>();
  front.on("message", async (message, remote) => {
    const key = `${remote.address}:${remote.port}`;
    let flow = flows.get(key);
    if (flow === undefined) {
      let pending = opening.get(key);
      if (pending === undefined) {
        // Only a caller's first handshake opens a flow, and only so many wait for their key's check:
        // stray packets start no ffmpeg.
        const unchecked = [...flows.values()].filter((candidate) => candidate.state !== "open").length;
        if (!isInduction(message) || unchecked + opening.size >= MAX_UNCHECKED_FLOWS) return;
        pending = openFlow(key, remote);
        opening.set(key, pending);
        flow = await pending;
        opening.delete(key);
        flows.set(key, flow);
      } else {
        flow = await pending;
      }
    }
    flow.lastSeenMs = Date.now();
    if (flow.state === "refused") return;
    const streamKey = flow.state === "open" ? null : srtConclusionStreamId(message);
    if (streamKey !== null) {
      // Held until the key is checked; the caller repeats it meanwhile.
      flow.conclusion = message;
      if (flow.state === "handshaking") check(flow, srtStreamKey(streamKey));
      return;
    }
    flow.backend.send(message, flow.backendPort, "127.0.0.1");
  });
  front.on("error", (error) => options.log(`srt: ${error.message}`));

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [key, flow] of flows) {
      if (flow.state !== "open" && now - flow.lastSeenMs > IDLE_FLOW_MS) closeFlow(key, flow);
    }
  }, 2000);
  sweeper.unref();

  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.bind(options.port, options.host, () => {
      front.off("error", reject);
      resolve();
    });
  });

  return {
    port: front.address().port,
    get pids() {
      return [...flows.values()].flatMap((flow) => (flow.child.pid === undefined ? [] : [flow.child.pid]));
    },
    async close() {
      clearInterval(sweeper);
      const exits = [...flows.values()].map(
        (flow) =>
          new Promise<void>((resolve) =>
            flow.child.exitCode !== null || flow.child.signalCode !== null
              ? resolve()
              : flow.child.once("exit", () => resolve()),
          ),
      );
      for (const [key, flow] of [...flows]) closeFlow(key, flow);
      await Promise.all(exits);
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}

async function freeUdpPort(): Promise<number> {
  const probe = createSocket("udp4");
  await new Promise<void>((resolve) => probe.bind(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
