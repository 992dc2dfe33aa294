// A one-line progress bar on a terminal (redrawn in place), plain lines when output is not a TTY.
export interface ProgressBar {
  update(done: number, total: number, detail?: string): void;
  finish(message: string): void;
}

export function createProgressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const width = 30;
  let lastPlain = 0;
  return {
    update(done, total, detail = "") {
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const pct = Math.floor(ratio * 100);
      if (stream.isTTY) {
        const filled = Math.round(ratio * width);
        const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
        stream.write(`\r${label} ${bar} ${String(pct).padStart(3)}% ${detail}\x1b[K`);
      } else if (pct >= lastPlain + 10 || pct === 100) {
        lastPlain = pct;
        stream.write(`${label} ${pct}% ${detail}\n`);
      }
    },
    finish(message) {
      stream.write(stream.isTTY ? `\r${message}\x1b[K\n` : `${message}\n`);
    },
  };
}
