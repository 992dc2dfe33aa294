// How long a destination waits before its next connection attempt: exponential from half a second, at
// most ten seconds, with up to a fifth of jitter so destinations that fail together do not retry together.
export const reconnectDelay = (failuresInARow: number, random: number, base = 500, max = 10_000): number => {
  const exponential = Math.min(max, base * 2 ** Math.max(0, failuresInARow - 1));
  return Math.round(exponential * (1 - 0.2 * random));
};
