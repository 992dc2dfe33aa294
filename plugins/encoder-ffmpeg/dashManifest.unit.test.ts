import { describe, expect, it } from "vitest";
import { dashManifest } from "./dashManifest.ts";

const timed = (id: string, dir: string, segments: [number, number][]) => ({
  id,
  bandwidth: 1000.5,
  codecs: "avc1.64001e",
  timescale: 15360,
  initialization: `${dir}/init.mp4`,
  media: `${dir}/seg_$Number%05d$.m4s`,
  startNumber: 1,
  segments: segments.map(([startPts, endPts]) => ({ startPts, endPts })),
});

describe("dashManifest", () => {
  const mpd = dashManifest({
    durationSec: 12.0667,
    maxSegmentSec: 6,
    video: [
      {
        ...timed("360p", "video/360p", [
          [1014, 93174],
          [93174, 185334],
          [185334, 200000],
        ]),
        width: 640,
        height: 360,
        frameRate: "30000/1001",
      },
    ],
    audio: [
      {
        ...timed("audio-en", "audio/en", [
          [0, 288768],
          [300000, 576512],
        ]),
        codecs: "mp4a.40.2",
        timescale: 48000,
        language: "en",
        name: 'Director\'s "cut" & <more>',
        isDefault: false,
        channels: 2,
        sampleRate: 48000,
      },
    ],
    subtitles: [
      {
        id: "text-fr",
        url: "subtitles/fr.vtt",
        language: "fr",
        name: "Français",
        isDefault: false,
        forced: true,
      },
    ],
  });

  it("describes a static presentation whose duration rounds up to the millisecond", () => {
    expect(mpd).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"/,
    );
    expect(mpd).toContain(
      'type="static" mediaPresentationDuration="PT12.067S" maxSegmentDuration="PT6.000S"',
    );
  });

  it("writes each representation's timeline, repeating equal segments and restating the time after a gap", () => {
    expect(mpd).toContain(
      [
        '<Representation id="360p" bandwidth="1001" codecs="avc1.64001e" width="640" height="360" frameRate="30000/1001" sar="1:1">',
        '  <SegmentTemplate timescale="15360" initialization="video/360p/init.mp4" media="video/360p/seg_$Number%05d$.m4s" startNumber="1">',
        "    <SegmentTimeline>",
        '      <S t="1014" d="92160" r="1"/>',
        '      <S d="14666"/>',
        "    </SegmentTimeline>",
      ].join("\n      "),
    );
    expect(mpd).toContain('<S t="0" d="288768"/>\n            <S t="300000" d="276512"/>');
  });

  it("escapes names, marks the default audio main, and gives subtitles their own text sets", () => {
    expect(mpd).toContain(
      'contentType="audio" mimeType="audio/mp4" segmentAlignment="true" startWithSAP="1" lang="en">',
    );
    expect(mpd).toContain('<Label>Director\'s "cut" &amp; &lt;more&gt;</Label>');
    expect(mpd).toContain('<Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>');
    expect(mpd).toContain('value="2"/>');
    expect(mpd).toContain('<AdaptationSet id="2" contentType="text" mimeType="text/vtt" lang="fr">');
    expect(mpd).toContain('<Role schemeIdUri="urn:mpeg:dash:role:2011" value="forced-subtitle"/>');
    expect(mpd).toContain("<BaseURL>subtitles/fr.vtt</BaseURL>");
  });

  it("drops characters XML 1.0 cannot hold and escapes quotes in attributes", () => {
    const odd = dashManifest({
      durationSec: 1,
      maxSegmentSec: 1,
      video: [],
      audio: [],
      subtitles: [
        {
          id: 'a"b',
          url: "s.vtt",
          language: 'x"y',
          name: "bell\u0007 tab\t",
          isDefault: false,
          forced: false,
        },
      ],
    });
    expect(odd).toContain('lang="x&quot;y"');
    expect(odd).toContain('<Representation id="a&quot;b"');
    expect(odd).toContain("<Label>bell tab\t</Label>");
    expect(odd).not.toContain('contentType="video"');
  });
});
