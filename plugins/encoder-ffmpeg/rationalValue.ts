/** The value of an ffmpeg rational such as "30000/1001"; 0 for "0/0" or anything unreadable. */
export function rationalValue(rational: string): number {
  const [num = Number.NaN, den = Number.NaN] = rational.split("/").map(Number);
  const value = num / den;
  return Number.isFinite(value) ? value : 0;
}
