import { describe, expect, it } from "vitest";
import type { AudioTrackInfo } from "../sdk/encoderPlugin.ts";
import { buildAudioArgs } from "./buildAudioArgs.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { planAudio } from "./planAudio.ts";

const track = (index: number, language: string | null, isDefault: boolean): AudioTrackInfo => ({
  index,
  codec: "aac",
  language,
  title: null,
  isDefault,
  durationSec: 10,
});
const profile = builtInProfiles["720p_h264"];

describe("planAudio and buildAudioArgs", () => {
  it("plans no audio encode for a source without audio", () => {
    expect(planAudio(profile, "/media/in.mp4", [])).toBeNull();
  });

  it("maps every track in order with its language and default flag, no video", () => {
    const plan = planAudio(profile, "/media/in.mp4", [track(1, "eng", false), track(3, "fra", true)]);
    if (plan === null) throw new Error("planned nothing");
    const args = buildAudioArgs(plan, "/tmp/job/audio.m4a");
    expect(args.join(" ")).toContain("-map 0:1 -map 0:3 -vn");
    expect(args.join(" ")).toContain(
      "-metadata:s:a:0 language=eng -disposition:a:0 0 -metadata:s:a:1 language=fra -disposition:a:1 default",
    );
    expect(args.join(" ")).toContain("-c:a aac -b:a 128k -ar 48000 -ac 2");
    expect(args.slice(-3)).toEqual(["-f", "mp4", "file:/tmp/job/audio.m4a"]);
  });

  it("makes the first track the default when the source marks none, and writes titles", () => {
    const plan = planAudio(profile, "/media/in.mp4", [
      { ...track(1, null, false), title: "Commentary" },
      track(2, "deu", false),
    ]);
    if (plan === null) throw new Error("planned nothing");
    const args = buildAudioArgs(plan, "/tmp/job/audio.m4a").join(" ");
    expect(args).toContain(
      "-metadata:s:a:0 language=und -metadata:s:a:0 title=Commentary -disposition:a:0 default",
    );
    expect(args).toContain("-disposition:a:1 0");
  });
});
