// Audio-only sources (podcasts, music) to audio outputs with the system ffmpeg: every track encoded as
// the profile says (AAC in M4A, Opus in WebM, either in Matroska), the same plan and command line as a
// split encode's audio, verified before it is renamed into place.
import type { AudioOnlyEncoding, AudioTrackInfo, ProbeFailure } from "../sdk/encoderPlugin.ts";
import { buildAudioArgs } from "./buildAudioArgs.ts";
import { type FfmpegConfig, runFfmpegAttempt } from "./encodeWithFfmpeg.ts";
import { planAudio } from "./planAudio.ts";
import { probeAudioSource } from "./probeAudioTracks.ts";
import { verifyAudioEncode } from "./verifyAudioEncode.ts";

export function createFfmpegAudioOnly(config: FfmpegConfig): AudioOnlyEncoding {
  return {
    async probe(input) {
      const probed = await probeAudioSource(input, {
        ffprobePath: config.ffprobePath,
        ...(config.egress === undefined ? {} : { egress: config.egress }),
      });
      if ("_tag" in probed) return probed as ProbeFailure;
      const list: readonly AudioTrackInfo[] = probed.tracks;
      const durationSec = Math.max(0, ...list.map((track) => track.durationSec ?? 0));
      if (list.length === 0 || durationSec <= 0) {
        return { _tag: "ProbeFailure", reason: "not_media", message: "source has no audio to encode" };
      }
      return { _tag: "AudioSourceInfo", input, durationSec, tracks: list, formatName: probed.formatName };
    },

    plan: (profile, source) => planAudio(profile, source.input, source.tracks),

    encode: (plan, source, options) =>
      runFfmpegAttempt(
        {
          inputUrl: plan.input.url,
          // Audio alone in MP4 is M4A, as players and file managers expect it named.
          container: plan.container.format === "mp4" ? "m4a" : plan.container.format,
          args: (outputPath) => buildAudioArgs(plan, outputPath),
          durationSec: source.durationSec,
          verify: (outputPath) =>
            verifyAudioEncode(outputPath, plan.tracks, source.durationSec, config.ffprobePath),
          encoder: plan.encoder,
        },
        options,
        config,
      ),
  };
}
