import { describe, expect, it } from "vitest";
import { hlsMasterPlaylist } from "./hlsMasterPlaylist.ts";

const variant = (name: string, width: number, height: number, bandwidth: number) => ({
  uri: `video/${name}/playlist.m3u8`,
  bandwidth,
  averageBandwidth: bandwidth * 0.8,
  codecs: "avc1.64001f,mp4a.40.2",
  width,
  height,
  frameRate: 30000 / 1001,
});

describe("hlsMasterPlaylist", () => {
  it("writes the audio and subtitle groups and one stream per variant, in the order given", () => {
    const master = hlsMasterPlaylist({
      variants: [variant("720p", 1280, 720, 3_000_000.4), variant("360p", 640, 360, 900_000)],
      audio: [
        { uri: "audio/en/playlist.m3u8", language: "en", name: "English", isDefault: true, channels: 2 },
        {
          uri: "audio/fr/playlist.m3u8",
          language: "fr",
          name: 'Commentaire "réalisateur"',
          isDefault: false,
          channels: 6,
        },
      ],
      subtitles: [
        { uri: "subtitles/en.m3u8", language: "en", name: "English", isDefault: false, forced: false },
        {
          uri: "subtitles/fr.m3u8",
          language: "fr",
          name: "Français (forcés)",
          isDefault: true,
          forced: true,
        },
      ],
    });
    expect(master.split("\n")).toEqual([
      "#EXTM3U",
      "#EXT-X-VERSION:7",
      "#EXT-X-INDEPENDENT-SEGMENTS",
      "",
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/en/playlist.m3u8"',
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="fr",NAME="Commentaire 'réalisateur'",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="6",URI="audio/fr/playlist.m3u8"`,
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="subtitles/en.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="fr",NAME="Français (forcés)",DEFAULT=YES,AUTOSELECT=YES,FORCED=YES,URI="subtitles/fr.m3u8"',
      "",
      '#EXT-X-STREAM-INF:BANDWIDTH=3000001,AVERAGE-BANDWIDTH=2400001,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=29.970,AUDIO="aud",SUBTITLES="subs"',
      "video/720p/playlist.m3u8",
      '#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=720000,RESOLUTION=640x360,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=29.970,AUDIO="aud",SUBTITLES="subs"',
      "video/360p/playlist.m3u8",
      "",
    ]);
  });

  it("keeps one default per group and names unique in it, and leaves out groups there are none of", () => {
    const master = hlsMasterPlaylist({
      variants: [variant("360p", 640, 360, 900_000)],
      audio: [
        { uri: "a/1.m3u8", language: null, name: "Audio", isDefault: false, channels: null },
        { uri: "a/2.m3u8", language: null, name: "Audio", isDefault: false, channels: null },
      ],
      subtitles: [],
    });
    expect(master).toContain(
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,URI="a/1.m3u8"',
    );
    expect(master).toContain(
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Audio (2)",DEFAULT=NO,AUTOSELECT=YES,URI="a/2.m3u8"',
    );
    expect(master).toContain('AUDIO="aud"\n');
    expect(master).not.toContain("SUBTITLES");
    const silent = hlsMasterPlaylist({
      variants: [variant("360p", 640, 360, 900_000)],
      audio: [],
      subtitles: [],
    });
    expect(silent).not.toContain("EXT-X-MEDIA");
    expect(silent).not.toContain("AUDIO=");
  });

  it("writes an audio-only variant without a frame size or rate", () => {
    const master = hlsMasterPlaylist({
      variants: [
        {
          uri: "audio/en/playlist.m3u8",
          bandwidth: 130_000,
          averageBandwidth: 128_000,
          codecs: "mp4a.40.2",
          width: 0,
          height: 0,
          frameRate: 0,
        },
      ],
      audio: [],
      subtitles: [],
    });
    expect(master).toContain(
      '#EXT-X-STREAM-INF:BANDWIDTH=130000,AVERAGE-BANDWIDTH=128000,CODECS="mp4a.40.2"\naudio/en/playlist.m3u8\n',
    );
  });
});
