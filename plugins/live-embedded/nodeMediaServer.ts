// The parts of node-media-server 4 the embedded engine uses, typed: its RTMP session (handshake, AMF,
// chunking, enhanced RTMP) and broadcast fan-out. Its servers, record store and ./data folder are never
// started; its logger is silenced because its lines carry stream paths, which are stream keys.
import { createRequire } from "node:module";
import type { Socket } from "node:net";

export interface NmsPacket {
  /** Audio: the FLV sound format; video: the FLV codec id, or the FourCC of enhanced RTMP. */
  readonly codec_id: number;
  /** 8 audio, 9 video, 18 script data. */
  readonly codec_type: number;
  /** 0 audio header, 1 audio frame, 2 video header, 3 keyframe, 4 inter frame, 5 metadata. */
  readonly flags: number;
  readonly dts: number;
  readonly size: number;
}

export interface NmsBroadcast {
  publisher: NmsSession | null;
  readonly subscribers: Map<string, NmsSession>;
  publishGraceMs: number;
  getPublishStatus(): "publishing" | "reconnecting" | "idle";
  /** Ends a publish held for a reconnect at once. */
  _finishPublish(): void;
}

export interface NmsRtmp {
  streamApp: string;
  streamName: string;
  streamHost: string;
  streamQuery: Record<string, unknown>;
  streamId: number;
  readonly parserPacket: { readonly header: { readonly stream_id: number } };
  onPublish(message: { readonly streamName: string }): void;
  onPlay(message: { readonly streamName: string }): void;
  respondPublish(): void;
  respondPlay(): void;
  sendStatusMessage(streamId: number, level: string, code: string, description: string): void;
  onConnectCallback(request: {
    app: string;
    name: string;
    host: string;
    query: Record<string, unknown>;
  }): void;
  onPushCallback(): void;
  onPlayCallback(): void;
  onPacketCallback(packet: NmsPacket): void;
}

export interface NmsSession {
  readonly id: string;
  readonly ip: string;
  readonly socket: Socket;
  readonly rtmp: NmsRtmp;
  broadcast: NmsBroadcast;
  isPublisher: boolean;
  videoWidth: number;
  videoHeight: number;
  inBytes: number;
  run(): void;
  close(): void;
}

export interface NmsContext {
  readonly sessions: Map<string, NmsSession>;
  readonly broadcasts: Map<string, NmsBroadcast>;
}

const require = createRequire(import.meta.url);

const logger = require("node-media-server/src/core/logger.js") as { log: (...args: unknown[]) => void };
logger.log = () => {};

/** Shared by every engine in the process: node-media-server keeps its sessions in one global. */
export const nmsContext = require("node-media-server/src/core/context.js") as NmsContext;

const RtmpSession = require("node-media-server/src/session/rtmp_session.js") as new (
  socket: Socket,
) => NmsSession;

export const createRtmpSession = (socket: Socket): NmsSession => new RtmpSession(socket);
