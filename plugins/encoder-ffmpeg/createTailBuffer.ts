// Keeps only the end of a long text stream (ffmpeg's stderr), so a chatty encode cannot grow memory.
export interface TailBuffer {
  push(chunk: string): void;
  text(): string;
}

export function createTailBuffer(maxChars: number): TailBuffer {
  let tail = "";
  return {
    push(chunk) {
      tail = (tail + chunk).slice(-maxChars);
    },
    text: () => tail,
  };
}
