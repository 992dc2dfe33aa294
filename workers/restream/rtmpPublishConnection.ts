// One RTMP publishing connection, over TCP (rtmp://) or TLS (rtmps://): the simple handshake, connect,
// createStream and publish, then FLV tags sent as RTMP messages. It answers what a server asks of a
// client (pings, acknowledgements, chunk size) and nothing more. The stream key goes into the publish
// command only; errors it raises name the server's address, never the key.
import { type Socket, connect as tcpConnect } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import { type Amf0Value, decodeAmf0, encodeAmf0 } from "./amf0.ts";
import { FLV_AUDIO, FLV_SCRIPT, FLV_VIDEO } from "./flvTags.ts";

export interface RtmpPublishOptions {
  /** rtmp://host[:port]/app[/instance]/key[?query] or rtmps://… */
  readonly url: string;
  /** Until the server has accepted the publish (default 10 s). */
  readonly timeoutMs?: number;
  /** TLS options for rtmps (a private CA, for instance); the server's certificate is verified. */
  readonly tls?: ConnectionOptions;
  /** The connection is gone (after it was established): an error, the server closing it, or close(). */
  onClose(error: Error | null): void;
  /** The socket took what was written; sending may go on. */
  onDrain(): void;
}

export interface RtmpPublishConnection {
  /** One FLV tag as an RTMP message; false when the socket's buffer is full (wait for onDrain). */
  send(type: number, timestamp: number, body: Buffer): boolean;
  /** Bytes written to the socket so far. */
  bytesSent(): number;
  /** Of the bytes sent, those the operating system has not taken from the socket yet (a peer that stops
   * reading leaves them there). */
  bytesWaiting(): number;
  /**
   * Ends the publish and the connection, and waits for the server to close its side: it has read all
   * that was sent then. A server that has not after graceMs (default 2 s) is dropped.
   */
  close(graceMs?: number): Promise<void>;
  /** Drops the connection at once, without ending the publish (a peer that reads nothing would not take it). */
  abort(): Promise<void>;
}

const HANDSHAKE_SIZE = 1536;
const OUT_CHUNK_SIZE = 4096;
const CHANNEL_CONTROL = 2;
const CHANNEL_COMMAND = 3;
const CHANNEL_AUDIO = 4;
const CHANNEL_DATA = 5;
const CHANNEL_VIDEO = 6;
const MSG_SET_CHUNK_SIZE = 1;
const MSG_ACK = 3;
const MSG_USER_CONTROL = 4;
const MSG_WINDOW_ACK_SIZE = 5;
const MSG_SET_PEER_BANDWIDTH = 6;
const MSG_COMMAND_AMF3 = 17;
const MSG_COMMAND_AMF0 = 20;
const SET_DATA_FRAME = encodeAmf0("@setDataFrame");

interface Target {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly app: string;
  readonly tcUrl: string;
  readonly streamName: string;
}

/** app is every path segment but the last (app/instance); the last, with the query, is the stream name. */
function targetOf(url: string): Target {
  const parsed = new URL(url);
  const secure = parsed.protocol === "rtmps:";
  if (!secure && parsed.protocol !== "rtmp:") throw new Error(`not an RTMP URL (${parsed.protocol})`);
  const segments = parsed.pathname.split("/").filter((segment) => segment !== "");
  if (segments.length < 2) throw new Error("an RTMP URL needs an application and a stream key");
  const app = segments.slice(0, -1).map(decodeURIComponent).join("/");
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  const port = parsed.port === "" ? (secure ? 443 : 1935) : Number(parsed.port);
  return {
    secure,
    host,
    port,
    app,
    tcUrl: `${parsed.protocol}//${parsed.host}/${app}`,
    streamName: decodeURIComponent(segments.at(-1)!) + parsed.search,
  };
}

/**
 * Ends a connection now. A plain destroy() closes the socket, but the system goes on sending what its
 * buffer holds (megabytes to a slow peer) before the connection ends: a reset drops it at once. A TLS
 * socket cannot be reset from here and is destroyed.
 */
function dropNow(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/** One message as chunks: a full (type 0) header first, continuation (type 3) headers after. */
function encodeMessage(channel: number, type: number, streamId: number, timestamp: number, body: Buffer) {
  const ts = Math.max(0, Math.round(timestamp)) >>> 0;
  const extended = ts >= 0xffffff;
  const chunks = Math.max(1, Math.ceil(body.length / OUT_CHUNK_SIZE));
  const extendedBytes = extended ? 4 : 0;
  const out = Buffer.allocUnsafe(12 + extendedBytes + (chunks - 1) * (1 + extendedBytes) + body.length);
  out.writeUInt8(channel, 0);
  out.writeUIntBE(extended ? 0xffffff : ts, 1, 3);
  out.writeUIntBE(body.length, 4, 3);
  out.writeUInt8(type, 7);
  out.writeUInt32LE(streamId, 8);
  let at = 12;
  if (extended) at = out.writeUInt32BE(ts, at);
  for (let offset = 0; offset < body.length; offset += OUT_CHUNK_SIZE) {
    if (offset > 0) {
      at = out.writeUInt8(0xc0 | channel, at);
      if (extended) at = out.writeUInt32BE(ts, at);
    }
    at += body.copy(out, at, offset, Math.min(body.length, offset + OUT_CHUNK_SIZE));
  }
  return out;
}

interface InChannel {
  length: number;
  type: number;
  streamId: number;
  extended: boolean;
  parts: Buffer[];
  received: number;
}

/** Reads the server's chunks back into messages, whatever the chunk size it set. */
function createChunkReader(onMessage: (type: number, streamId: number, body: Buffer) => void) {
  const channels = new Map<number, InChannel>();
  let chunkSize = 128;
  let pending: Buffer = Buffer.alloc(0);
  const read = (data: Buffer) => {
    pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
    let offset = 0;
    for (;;) {
      const available = pending.length - offset;
      if (available < 1) break;
      const first = pending[offset]!;
      const format = first >> 6;
      let channelId = first & 0x3f;
      let basic = 1;
      if (channelId === 0) {
        if (available < 2) break;
        channelId = pending[offset + 1]! + 64;
        basic = 2;
      } else if (channelId === 1) {
        if (available < 3) break;
        channelId = pending[offset + 2]! * 256 + pending[offset + 1]! + 64;
        basic = 3;
      }
      const headerSize = [11, 7, 3, 0][format]!;
      if (available < basic + headerSize) break;
      const channel = channels.get(channelId) ?? {
        length: 0,
        type: 0,
        streamId: 0,
        extended: false,
        parts: [],
        received: 0,
      };
      const h = offset + basic;
      let length = channel.length;
      let type = channel.type;
      let streamId = channel.streamId;
      let extended = channel.extended;
      if (format <= 2) extended = pending.readUIntBE(h, 3) === 0xffffff;
      if (format <= 1) {
        length = pending.readUIntBE(h + 3, 3);
        type = pending[h + 6]!;
      }
      if (format === 0) streamId = pending.readUInt32LE(h + 7);
      const extendedSize = extended ? 4 : 0;
      const received = format === 3 ? channel.received : 0;
      const size = Math.min(chunkSize, length - received);
      if (available < basic + headerSize + extendedSize + size) break;
      const start = offset + basic + headerSize + extendedSize;
      channel.length = length;
      channel.type = type;
      channel.streamId = streamId;
      channel.extended = extended;
      if (received === 0) channel.parts = [];
      channel.parts.push(pending.subarray(start, start + size));
      channel.received = received + size;
      channels.set(channelId, channel);
      offset = start + size;
      if (channel.received >= length) {
        const body = Buffer.concat(channel.parts);
        channel.parts = [];
        channel.received = 0;
        if (type === MSG_SET_CHUNK_SIZE) chunkSize = body.readUInt32BE(0) & 0x7fffffff;
        else onMessage(type, streamId, body);
      }
    }
    pending = Buffer.from(pending.subarray(offset));
  };
  return read;
}

const describeStatus = (info: Amf0Value) => {
  if (info === null || typeof info !== "object" || Array.isArray(info)) return "refused";
  return [info.code, info.description].filter((part) => typeof part === "string" && part !== "").join(": ");
};

/** Connects and publishes; resolves once the server has started the publish. */
export function connectRtmpPublisher(options: RtmpPublishOptions): Promise<RtmpPublishConnection> {
  return new Promise((resolve, reject) => {
    let target: Target;
    try {
      target = targetOf(options.url);
    } catch (error) {
      reject(error);
      return;
    }
    const where = `${target.host}:${target.port}`;
    const socket: Socket = target.secure
      ? tlsConnect({
          host: target.host,
          port: target.port,
          ...(/^[\d.:]+$/.test(target.host) ? {} : { servername: target.host }),
          ...options.tls,
        })
      : tcpConnect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    let published = false;
    let settled = false;
    let closing = false;
    let streamId = 0;
    let sent = 0;
    let received = 0;
    let acknowledged = 0;
    let ackWindow = 2_500_000;
    let nextTransaction = 1;
    const waiting = new Map<number, (values: Amf0Value[], error: boolean) => void>();

    const fail = (error: Error) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(error);
      }
      socket.destroy();
    };
    const timer = setTimeout(
      () => fail(new Error(`no publish from ${where} within ${options.timeoutMs ?? 10_000} ms`)),
      options.timeoutMs ?? 10_000,
    );
    const write = (bytes: Buffer) => {
      sent += bytes.length;
      return socket.write(bytes);
    };
    const control = (type: number, body: Buffer) => write(encodeMessage(CHANNEL_CONTROL, type, 0, 0, body));
    const uint32 = (value: number) => {
      const out = Buffer.allocUnsafe(4);
      out.writeUInt32BE(value >>> 0, 0);
      return out;
    };
    const command = (name: string, args: Amf0Value[], messageStream = 0) => {
      const transaction = nextTransaction++;
      write(
        encodeMessage(
          CHANNEL_COMMAND,
          MSG_COMMAND_AMF0,
          messageStream,
          0,
          encodeAmf0(name, transaction, ...args),
        ),
      );
      return new Promise<Amf0Value[]>((answered, refused) =>
        waiting.set(transaction, (values, error) =>
          error
            ? refused(new Error(`${name} refused by ${where}: ${describeStatus(values[3])}`))
            : answered(values),
        ),
      );
    };
    let onStatus: (info: Amf0Value) => void = () => {};

    const onMessage = (type: number, _stream: number, body: Buffer) => {
      if (type === MSG_WINDOW_ACK_SIZE) ackWindow = body.readUInt32BE(0);
      else if (type === MSG_SET_PEER_BANDWIDTH) control(MSG_WINDOW_ACK_SIZE, body.subarray(0, 4));
      else if (type === MSG_USER_CONTROL && body.readUInt16BE(0) === 6) {
        // a ping request: answered with its timestamp
        control(MSG_USER_CONTROL, Buffer.concat([Buffer.from([0, 7]), body.subarray(2, 6)]));
      } else if (type === MSG_COMMAND_AMF0 || type === MSG_COMMAND_AMF3) {
        const values = decodeAmf0(type === MSG_COMMAND_AMF3 ? body.subarray(1) : body);
        const [name, transaction] = values;
        if ((name === "_result" || name === "_error") && typeof transaction === "number") {
          const answer = waiting.get(transaction);
          waiting.delete(transaction);
          answer?.(values, name === "_error");
        } else if (name === "onStatus") onStatus(values[3]);
      }
    };
    const readChunks = createChunkReader(onMessage);

    let handshake: Buffer | null = Buffer.alloc(0);
    const onData = (data: Buffer) => {
      received += data.length;
      if (received - acknowledged >= ackWindow) {
        acknowledged = received;
        control(MSG_ACK, uint32(received));
      }
      if (handshake !== null) {
        handshake = Buffer.concat([handshake, data]);
        if (handshake.length < 1 + 2 * HANDSHAKE_SIZE) return;
        const s1 = handshake.subarray(1, 1 + HANDSHAKE_SIZE);
        const rest = handshake.subarray(1 + 2 * HANDSHAKE_SIZE);
        handshake = null;
        write(Buffer.from(s1)); // C2 echoes S1
        void publish().catch(fail);
        if (rest.length > 0) readChunks(rest);
        return;
      }
      try {
        readChunks(data);
      } catch (error) {
        fail(new Error(`unreadable answer from ${where}: ${(error as Error).message}`));
      }
    };

    async function publish() {
      control(MSG_SET_CHUNK_SIZE, uint32(OUT_CHUNK_SIZE));
      await command("connect", [
        {
          app: target.app,
          type: "nonprivate",
          flashVer: "FMLE/3.0 (compatible; WebEncode)",
          tcUrl: target.tcUrl,
        },
      ]);
      void command("releaseStream", [null, target.streamName]).catch(() => {});
      void command("FCPublish", [null, target.streamName]).catch(() => {});
      const created = await command("createStream", [null]);
      streamId = typeof created[3] === "number" ? created[3] : 1;
      const started = new Promise<void>((started, refused) => {
        onStatus = (info) => {
          const code = describeStatus(info);
          if (code.startsWith("NetStream.Publish.Start")) started();
          else if (
            typeof info === "object" &&
            info !== null &&
            !Array.isArray(info) &&
            info.level === "error"
          )
            refused(new Error(`publish refused by ${where}: ${code}`));
        };
      });
      const transaction = nextTransaction++;
      write(
        encodeMessage(
          CHANNEL_COMMAND,
          MSG_COMMAND_AMF0,
          streamId,
          0,
          encodeAmf0("publish", transaction, null, target.streamName, "live"),
        ),
      );
      await started;
      if (settled) return;
      settled = true;
      published = true;
      clearTimeout(timer);
      onStatus = (info) => {
        if (typeof info === "object" && info !== null && !Array.isArray(info) && info.level === "error")
          socket.destroy(new Error(`${where} stopped the publish: ${describeStatus(info)}`));
      };
      resolve(connection);
    }

    let closed: Promise<void> = new Promise((done) => {
      let lastError: Error | null = null;
      socket.on("error", (error) => {
        lastError = error;
        if (!settled) fail(new Error(`${where}: ${error.message}`));
      });
      socket.on("close", () => {
        for (const answer of waiting.values()) answer([], true);
        waiting.clear();
        if (!settled) fail(new Error(`${where} closed the connection before the publish started`));
        if (published)
          options.onClose(closing ? null : (lastError ?? new Error(`${where} closed the connection`)));
        done();
      });
    });
    socket.on("drain", () => options.onDrain());
    socket.on("data", onData);
    socket.once(target.secure ? "secureConnect" : "connect", () => {
      const c1 = Buffer.alloc(1 + HANDSHAKE_SIZE);
      c1.writeUInt8(3, 0);
      c1.writeUInt32BE(Math.floor(performance.now()) >>> 0, 1);
      for (let i = 9; i < c1.length; i += 4) c1.writeUInt32BE((Math.random() * 0x100000000) >>> 0, i);
      write(c1);
    });

    const connection: RtmpPublishConnection = {
      send(type, timestamp, body) {
        if (type === FLV_SCRIPT)
          return write(
            encodeMessage(
              CHANNEL_DATA,
              FLV_SCRIPT,
              streamId,
              timestamp,
              Buffer.concat([SET_DATA_FRAME, body]),
            ),
          );
        const channel =
          type === FLV_AUDIO ? CHANNEL_AUDIO : type === FLV_VIDEO ? CHANNEL_VIDEO : CHANNEL_DATA;
        return write(encodeMessage(channel, type, streamId, timestamp, body));
      },
      bytesSent: () => sent,
      bytesWaiting: () => socket.writableLength,
      async abort() {
        closing = true;
        dropNow(socket);
        return closed;
      },
      async close(graceMs = 2000) {
        if (closing) return closed;
        closing = true;
        if (!socket.destroyed) {
          write(
            encodeMessage(
              CHANNEL_COMMAND,
              MSG_COMMAND_AMF0,
              0,
              0,
              encodeAmf0("FCUnpublish", 0, null, target.streamName),
            ),
          );
          write(
            encodeMessage(
              CHANNEL_COMMAND,
              MSG_COMMAND_AMF0,
              0,
              0,
              encodeAmf0("deleteStream", 0, null, streamId),
            ),
          );
          socket.end();
          const killer = setTimeout(() => dropNow(socket), graceMs);
          closed = closed.finally(() => clearTimeout(killer));
        }
        return closed;
      },
    };
  });
}
