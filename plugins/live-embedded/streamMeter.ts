// Figures of one publish from the packets that pass through it: bitrates and frame rate over each
// sample period, the keyframe interval from the last two keyframes' timestamps, codecs from the headers.
import type { StreamTelemetry } from "../sdk/liveEngine.ts";

export interface MeteredPacket {
  readonly codec_id: number;
  readonly codec_type: number;
  readonly flags: number;
  readonly dts: number;
  readonly size: number;
}

export interface StreamMeter {
  count(packet: MeteredPacket): void;
  /** The figures since the sample before (or since the start), then starts a new period. */
  sample(nowMs: number, picture: { width: number; height: number }): Omit<StreamTelemetry, "streamId">;
}

const AUDIO = 8;
const VIDEO = 9;

const fourCc = (code: string) => code.split("").reduce((n, c) => n * 256 + c.charCodeAt(0), 0);

const videoCodecs = new Map<number, string>([
  [7, "h264"],
  [12, "hevc"],
  [fourCc("avc1"), "h264"],
  [fourCc("hvc1"), "hevc"],
  [fourCc("av01"), "av1"],
  [fourCc("vp09"), "vp9"],
]);
const audioCodecs = new Map<number, string>([
  [2, "mp3"],
  [10, "aac"],
  [13, "opus"],
]);

export function createStreamMeter(startMs: number): StreamMeter {
  let periodStart = startMs;
  let videoBytes = 0;
  let audioBytes = 0;
  let frames = 0;
  let totalBytes = 0;
  let keyframes: number[] = [];
  let videoCodec: string | null = null;
  let audioCodec: string | null = null;
  return {
    count(packet) {
      totalBytes += packet.size;
      if (packet.codec_type === VIDEO) {
        if (packet.flags === 3 || packet.flags === 4) {
          videoBytes += packet.size;
          frames += 1;
          videoCodec = videoCodecs.get(packet.codec_id) ?? videoCodec;
        }
        if (packet.flags === 3) keyframes = [...keyframes.slice(-1), packet.dts];
      } else if (packet.codec_type === AUDIO && packet.flags === 1) {
        audioBytes += packet.size;
        audioCodec = audioCodecs.get(packet.codec_id) ?? audioCodec;
      }
    },
    sample(nowMs, picture) {
      const seconds = Math.max(0.001, (nowMs - periodStart) / 1000);
      const [previous, last] = keyframes;
      const figures = {
        videoBitrateKbps: Math.round((videoBytes * 8) / 1000 / seconds),
        audioBitrateKbps: Math.round((audioBytes * 8) / 1000 / seconds),
        fps: Math.round((frames / seconds) * 100) / 100,
        keyframeIntervalSeconds:
          previous !== undefined && last !== undefined ? Math.round(last - previous) / 1000 : null,
        // Every frame received is passed on; RTMP carries no count of the publisher's own drops.
        droppedFrames: 0,
        width: picture.width > 0 ? picture.width : null,
        height: picture.height > 0 ? picture.height : null,
        videoCodec,
        audioCodec,
        viewers: null,
        bytesReceived: totalBytes,
      };
      periodStart = nowMs;
      videoBytes = 0;
      audioBytes = 0;
      frames = 0;
      return figures;
    },
  };
}
