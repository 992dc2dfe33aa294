// The slate's picture size, frame rate and audio rate, read from the input's onMetaData (AMF0 numbers
// after their names), so destinations see the same format while the input is away.
import type { FlvTag } from "./flvTags.ts";

export interface SlateFormat {
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
  readonly sampleRate: number;
}

const fallback: SlateFormat = { width: 1280, height: 720, frameRate: 30, sampleRate: 44_100 };

function amfNumber(body: Buffer, name: string): number | null {
  const key = Buffer.concat([Buffer.from([0, name.length]), Buffer.from(name, "latin1"), Buffer.from([0])]);
  const at = body.indexOf(key);
  if (at < 0 || at + key.length + 8 > body.length) return null;
  const value = body.readDoubleBE(at + key.length);
  return Number.isFinite(value) && value > 0 ? value : null;
}

export function slateFormatOf(metadata: FlvTag | null): SlateFormat {
  if (metadata === null) return fallback;
  const even = (value: number) => Math.max(2, Math.round(value / 2) * 2);
  const width = amfNumber(metadata.body, "width");
  const height = amfNumber(metadata.body, "height");
  return {
    width: width === null ? fallback.width : even(width),
    height: height === null ? fallback.height : even(height),
    frameRate: Math.min(60, amfNumber(metadata.body, "framerate") ?? fallback.frameRate),
    sampleRate: amfNumber(metadata.body, "audiosamplerate") ?? fallback.sampleRate,
  };
}
