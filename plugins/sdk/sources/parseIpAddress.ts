// Reads an IP address in any spelling a resolver might accept: IPv4 the inet_aton way (decimal, octal,
// hex, 1 to 4 parts, one trailing dot) and IPv6 with compression, an embedded dotted quad or a zone id.
import { isIPv6 } from "node:net";

export type IpAddress =
  | { readonly family: 4; readonly value: number /** dotted quad */; readonly text: string }
  | {
      readonly family: 6;
      readonly value: bigint /** as spelled, lower case, zone id dropped */;
      readonly text: string;
    };

const parseIpv4Part = (part: string): number | undefined => {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return Number.parseInt(part, 8);
  if (/^(0|[1-9][0-9]*)$/.test(part)) return Number.parseInt(part, 10);
  return undefined;
};

const parseIpv4 = (text: string): number | undefined => {
  const parts = text.split(".");
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  if (parts.length === 0 || parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = parseIpv4Part(part);
    if (n === undefined || !Number.isSafeInteger(n)) return undefined;
    numbers.push(n);
  }
  const last = numbers.pop() ?? 0;
  if (numbers.some((n) => n > 255)) return undefined;
  if (last >= 256 ** (4 - numbers.length)) return undefined;
  return numbers.reduce((acc, n, i) => acc + n * 256 ** (3 - i), last);
};

const parseStrictDottedQuad = (text: string): number | undefined => {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p))) return undefined;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? parseIpv4(text) : undefined;
};

const parseIpv6Groups = (text: string, dottedAllowedLast: boolean): number[] | undefined => {
  if (text === "") return [];
  const tokens = text.split(":");
  const groups: number[] = [];
  for (const [i, token] of tokens.entries()) {
    if (token.includes(".")) {
      const v4 = dottedAllowedLast && i === tokens.length - 1 ? parseStrictDottedQuad(token) : undefined;
      if (v4 === undefined) return undefined;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
    } else if (/^[0-9a-f]{1,4}$/i.test(token)) {
      groups.push(Number.parseInt(token, 16));
    } else {
      return undefined;
    }
  }
  return groups;
};

const parseIpv6 = (address: string): bigint | undefined => {
  if (!isIPv6(address)) return undefined;
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const left = parseIpv6Groups(halves[0] ?? "", halves.length === 1);
  const right = halves.length === 2 ? parseIpv6Groups(halves[1] ?? "", true) : [];
  if (left === undefined || right === undefined) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
};

/** `undefined` when the text is not an address in any spelling (then it is a host name). */
export const parseIpAddress = (input: string): IpAddress | undefined => {
  const bare = input.startsWith("[") && input.endsWith("]") ? input.slice(1, -1) : input;
  if (bare.includes(":")) {
    const text = (bare.split("%")[0] ?? "").toLowerCase();
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value, text };
  }
  const value = parseIpv4(bare);
  if (value === undefined) return undefined;
  const text = [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
  return { family: 4, value, text };
};
