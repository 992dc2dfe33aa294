// The encoder-ffmpeg plugin: the system ffmpeg/ffprobe (FFMPEG_PATH / FFPROBE_PATH override them)
// behind the encoder pillar interface. Capabilities are proven once, on first use, and then reused.
import type { EncoderCapabilities, EncoderPlugin } from "../sdk/encoderPlugin.ts";
import type { SourceEgress } from "../sdk/sourceEgress.ts";
import { createFfmpegMediaOutputs } from "./createFfmpegMediaOutputs.ts";
import { detectEncoders } from "./detectEncoders.ts";
import { encodeLadder } from "./encodeLadder.ts";
import { encodeWithFallback } from "./encodeWithFallback.ts";
import { encodeWithFfmpeg } from "./encodeWithFfmpeg.ts";
import { createFfmpegAudioOnly } from "./ffmpegAudioOnly.ts";
import { createFfmpegSplitEncoding } from "./ffmpegSplitEncoding.ts";
import { planEncode } from "./planEncode.ts";
import { probeMedia } from "./probeMedia.ts";
import { reapOrphans } from "./reapOrphans.ts";

export interface FfmpegEncoderOptions {
  /** Where running ffmpeg processes are recorded, for `recover` after a crash. */
  readonly stateDir: string;
  readonly ffmpegPath?: string;
  readonly ffprobePath?: string;
  /** Already proven capabilities (a worker detects once at start); detected on first use if absent. */
  readonly capabilities?: EncoderCapabilities;
  readonly probeTimeoutMs?: number;
  /** The only way to http(s) sources (an egress proxy that checks every address it connects to). */
  readonly egress?: SourceEgress;
  /** Threads per video encode (ffmpeg's -threads); ffmpeg chooses when absent. */
  readonly threads?: number;
}

export function createFfmpegEncoder(options: FfmpegEncoderOptions): EncoderPlugin {
  const ffmpegPath = options.ffmpegPath ?? process.env.FFMPEG_PATH ?? "ffmpeg";
  const ffprobePath = options.ffprobePath ?? process.env.FFPROBE_PATH ?? "ffprobe";
  let capabilities: Promise<EncoderCapabilities> | undefined = options.capabilities
    ? Promise.resolve(options.capabilities)
    : undefined;
  const proven = () => {
    capabilities ??= detectEncoders({ ffmpegPath });
    return capabilities;
  };

  const ffmpegConfig = {
    ffmpegPath,
    ffprobePath,
    stateDir: options.stateDir,
    ...(options.egress === undefined ? {} : { egress: options.egress }),
  };
  const encode: EncoderPlugin["encode"] = (plan, encodeOptions) =>
    encodeWithFallback(plan, encodeOptions, (attempt, attemptOptions) =>
      encodeWithFfmpeg(attempt, attemptOptions, ffmpegConfig),
    );

  return {
    probe: (input) =>
      probeMedia(input, {
        ffprobePath,
        ...(options.egress === undefined ? {} : { egress: options.egress }),
        ...(options.probeTimeoutMs !== undefined ? { timeoutMs: options.probeTimeoutMs } : {}),
      }),
    async plan(profile, source, range, chosen, chunkTiming) {
      // Software plans need no proof; a hardware encoder is driven only once this machine proved it.
      const mine = chosen?.some((e) => e.hardware) ? (await proven()).encoders : [];
      const encoders = chosen?.filter(
        (e) => !e.hardware || mine.some((p) => p.name === e.name && p.codec === e.codec && p.hardware),
      );
      return planEncode(profile, source, {
        range,
        encoders,
        chunkTiming,
        ...(options.threads === undefined ? {} : { threads: options.threads }),
      });
    },
    encode,
    encodeLadder: (plans, encodeOptions) => encodeLadder(plans, encodeOptions, ffmpegConfig, encode),
    capabilities: proven,
    recover: () => reapOrphans(options.stateDir),
    split: createFfmpegSplitEncoding({
      ffmpegPath,
      ffprobePath,
      stateDir: options.stateDir,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.egress === undefined ? {} : { egress: options.egress }),
    }),
    audioOnly: createFfmpegAudioOnly({ ffmpegPath, ffprobePath, stateDir: options.stateDir }),
    outputs: createFfmpegMediaOutputs({
      ffmpegPath,
      ffprobePath,
      ...(options.egress === undefined ? {} : { egress: options.egress }),
    }),
  };
}
