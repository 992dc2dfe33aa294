// The WebVTT storyboard of a job's thumbnails: one cue per interval naming a region of a sprite sheet
// (`sprite-0.jpg#xywh=0,0,160,90`), the format players use for seek previews.

export interface StoryboardCue {
  readonly startSec: number;
  readonly endSec: number;
  /** Absolute URL of the sprite sheet, resolved against the storyboard's own URL. */
  readonly image: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const seconds = (stamp: string): number => {
  const parts = stamp.trim().split(":").map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
};

export function parseStoryboard(text: string, baseUrl: string): StoryboardCue[] {
  const cues: StoryboardCue[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const timing = /^([\d:.]+)\s+-->\s+([\d:.]+)/.exec(lines[i] ?? "");
    const target = lines[i + 1]?.trim();
    if (!timing || !target) continue;
    const [file, fragment = ""] = target.split("#xywh=");
    const [x, y, width, height] = fragment.split(",").map(Number);
    if (file === undefined || [x, y, width, height].some((n) => n === undefined || !Number.isFinite(n)))
      continue;
    cues.push({
      startSec: seconds(timing[1]!),
      endSec: seconds(timing[2]!),
      image: new URL(file, baseUrl).toString(),
      x: x!,
      y: y!,
      width: width!,
      height: height!,
    });
  }
  return cues;
}

/** The cue shown at `timeSec`: the last that starts at or before it. */
export function cueAt(cues: readonly StoryboardCue[], timeSec: number): StoryboardCue | undefined {
  let found: StoryboardCue | undefined;
  for (const cue of cues) if (cue.startSec <= timeSec) found = cue;
  return found;
}
