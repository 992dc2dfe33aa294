// What a profile's `subtitles` makes of the source's subtitle tracks in the encode itself: `burn_in`
// draws the first track into the picture of every rendition and chunk; `passthrough` keeps the tracks
// as soft tracks of the output container (text tracks in MP4 and WebM, every track in Matroska).
import type { Container, EncodeProfile } from "../../plugins/sdk/encoderPlugin.ts";
import type { SubtitleTrackInfo } from "../../plugins/sdk/mediaOutputs.ts";
import type { ProfileSpec } from "../../schemas/profiles/profileSpec.ts";

export function sourceSubtitles(
  mode: ProfileSpec["subtitles"],
  tracks: readonly Pick<SubtitleTrackInfo, "index" | "text" | "codec">[],
  container: Container,
): Pick<EncodeProfile, "burnInSubtitle" | "keepSubtitles"> {
  const [first] = tracks;
  if (mode === "burn_in" && first !== undefined)
    return { burnInSubtitle: { streamIndex: first.index, text: first.text } };
  if (mode === "passthrough") {
    const kept = tracks
      .filter((track) => track.text || container === "mkv")
      .map((track) => ({ streamIndex: track.index, codec: track.codec }));
    return kept.length === 0 ? {} : { keepSubtitles: kept };
  }
  return {};
}
