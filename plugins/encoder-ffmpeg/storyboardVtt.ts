// The WebVTT storyboard of a sprite sheet: one cue per thumbnail, from its time to the next one's (the
// last to the end), pointing at its cell with a media fragment, as hls.js, Video.js and JW Player read it:
//   00:00:10.000 --> 00:00:20.000
//   sprite-0.jpg#xywh=160,0,160,90

export interface SpriteLayout {
  readonly columns: number;
  readonly rows: number;
  readonly width: number;
  readonly height: number;
}

export interface StoryboardCell {
  readonly sheet: number;
  readonly x: number;
  readonly y: number;
}

/** Where thumbnail `index` sits: sheets fill row by row, `columns × rows` thumbnails each. */
export function cellOf(index: number, layout: SpriteLayout): StoryboardCell {
  const perSheet = layout.columns * layout.rows;
  const within = index % perSheet;
  return {
    sheet: Math.floor(index / perSheet),
    x: (within % layout.columns) * layout.width,
    y: Math.floor(within / layout.columns) * layout.height,
  };
}

export function storyboardVtt(
  times: readonly number[],
  durationSec: number,
  layout: SpriteLayout,
  sheetName: (sheet: number) => string,
): string {
  const cues = times.map((start, i) => {
    const end = Math.max(start, i + 1 < times.length ? (times[i + 1] ?? durationSec) : durationSec);
    const { sheet, x, y } = cellOf(i, layout);
    return `${vttTime(start)} --> ${vttTime(end)}\n${sheetName(sheet)}#xywh=${x},${y},${layout.width},${layout.height}\n`;
  });
  return ["WEBVTT\n", ...cues].join("\n");
}

/** hh:mm:ss.mmm */
export function vttTime(sec: number): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}
