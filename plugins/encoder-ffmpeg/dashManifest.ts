// A static DASH MPD (ISO/IEC 23009-1, live profile) over the same CMAF files as the HLS playlists:
// one video AdaptationSet, one per audio track, one per subtitle (WebVTT side files). Relative URLs.

export interface DashTimedTrack {
  readonly id: string;
  readonly bandwidth: number;
  readonly codecs: string;
  readonly timescale: number;
  /** Relative to the MPD. */
  readonly initialization: string;
  /** With `$Number%05d$`, e.g. "video/720p/seg_$Number%05d$.m4s". */
  readonly media: string;
  readonly startNumber: number;
  /** Each segment's earliest presentation time and where the next starts, in `timescale` ticks. */
  readonly segments: readonly { readonly startPts: number; readonly endPts: number }[];
}

export interface DashVideo extends DashTimedTrack {
  readonly width: number;
  readonly height: number;
  /** e.g. "30" or "30000/1001". */
  readonly frameRate: string;
}

export interface DashAudio extends DashTimedTrack {
  readonly language: string | null;
  readonly name: string;
  readonly isDefault: boolean;
  readonly channels: number | null;
  readonly sampleRate: number | null;
}

export interface DashText {
  readonly id: string;
  readonly url: string;
  readonly language: string | null;
  readonly name: string;
  readonly isDefault: boolean;
  readonly forced: boolean;
}

export interface DashPresentation {
  readonly durationSec: number;
  readonly maxSegmentSec: number;
  readonly video: readonly DashVideo[];
  readonly audio: readonly DashAudio[];
  readonly subtitles: readonly DashText[];
}

export function dashManifest(p: DashPresentation): string {
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static"` +
      ` mediaPresentationDuration="${duration(p.durationSec)}" maxSegmentDuration="${duration(p.maxSegmentSec)}"` +
      ` minBufferTime="PT2S">`,
    `  <Period id="0" start="PT0S">`,
  ];
  let set = 0;
  if (p.video.length > 0) {
    const maxWidth = Math.max(...p.video.map((v) => v.width));
    const maxHeight = Math.max(...p.video.map((v) => v.height));
    out.push(
      `    <AdaptationSet id="${set++}" contentType="video" mimeType="video/mp4" segmentAlignment="true"` +
        ` startWithSAP="1" maxWidth="${maxWidth}" maxHeight="${maxHeight}">`,
    );
    for (const v of p.video) {
      out.push(
        `      <Representation id="${attr(v.id)}" bandwidth="${Math.ceil(v.bandwidth)}" codecs="${attr(v.codecs)}"` +
          ` width="${v.width}" height="${v.height}" frameRate="${attr(v.frameRate)}" sar="1:1">`,
        ...segmentTemplate(v, "        "),
        `      </Representation>`,
      );
    }
    out.push(`    </AdaptationSet>`);
  }
  const defaultAudio = Math.max(
    0,
    p.audio.findIndex((a) => a.isDefault),
  );
  p.audio.forEach((a, i) => {
    out.push(
      `    <AdaptationSet id="${set++}" contentType="audio" mimeType="audio/mp4" segmentAlignment="true"` +
        ` startWithSAP="1"${a.language === null ? "" : ` lang="${attr(a.language)}"`}>`,
      `      <Label>${text(a.name)}</Label>`,
      `      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="${i === defaultAudio ? "main" : "alternate"}"/>`,
      `      <Representation id="${attr(a.id)}" bandwidth="${Math.ceil(a.bandwidth)}" codecs="${attr(a.codecs)}"` +
        `${a.sampleRate === null ? "" : ` audioSamplingRate="${a.sampleRate}"`}>`,
      ...(a.channels === null
        ? []
        : [
            `        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${a.channels}"/>`,
          ]),
      ...segmentTemplate(a, "        "),
      `      </Representation>`,
      `    </AdaptationSet>`,
    );
  });
  for (const s of p.subtitles) {
    const role = s.forced ? "forced-subtitle" : "subtitle";
    out.push(
      `    <AdaptationSet id="${set++}" contentType="text" mimeType="text/vtt"` +
        `${s.language === null ? "" : ` lang="${attr(s.language)}"`}>`,
      `      <Label>${text(s.name)}</Label>`,
      `      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="${role}"/>`,
      `      <Representation id="${attr(s.id)}" bandwidth="256">`,
      `        <BaseURL>${text(s.url)}</BaseURL>`,
      `      </Representation>`,
      `    </AdaptationSet>`,
    );
  }
  out.push(`  </Period>`, `</MPD>`);
  return `${out.join("\n")}\n`;
}

function segmentTemplate(track: DashTimedTrack, indent: string): string[] {
  const entries: { t: number | null; d: number; r: number }[] = [];
  let expected: number | null = null;
  for (const { startPts, endPts } of track.segments) {
    const d = endPts - startPts;
    const last = entries.at(-1);
    if (last !== undefined && startPts === expected && last.d === d) last.r++;
    else entries.push({ t: startPts === expected ? null : startPts, d, r: 0 });
    expected = endPts;
  }
  return [
    `${indent}<SegmentTemplate timescale="${track.timescale}" initialization="${attr(track.initialization)}"` +
      ` media="${attr(track.media)}" startNumber="${track.startNumber}">`,
    `${indent}  <SegmentTimeline>`,
    ...entries.map(
      (e) =>
        `${indent}    <S${e.t === null ? "" : ` t="${e.t}"`} d="${e.d}"${e.r > 0 ? ` r="${e.r}"` : ""}/>`,
    ),
    `${indent}  </SegmentTimeline>`,
    `${indent}</SegmentTemplate>`,
  ];
}

/** xs:duration with millisecond precision, e.g. PT12.067S. */
function duration(seconds: number): string {
  return `PT${(Math.ceil(seconds * 1000) / 1000).toFixed(3)}S`;
}

function text(value: string): string {
  // XML 1.0 allows no control characters but tab and line breaks.
  const allowed = [...value].filter((c) => c.charCodeAt(0) >= 0x20 || "\t\n\r".includes(c)).join("");
  return allowed.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function attr(value: string): string {
  return text(value)
    .replace(/"/g, "&quot;")
    .replace(/[\r\n\t]/g, " ");
}
