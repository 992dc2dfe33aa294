// Sorts an IP address into "public" or the special-purpose range it belongs to (IANA registries,
// RFC 6890 and successors). IPv6 is allowed only inside global unicast 2000::/3; addresses that embed
// an IPv4 address (NAT64, 6to4) are judged by the embedded one.
import { type IpAddress, parseIpAddress } from "./parseIpAddress.ts";

export type AddressRange =
  | "unspecified"
  | "this-network"
  | "loopback"
  | "private"
  | "shared"
  | "link-local"
  | "cloud-metadata"
  | "protocol-assignments"
  | "documentation"
  | "benchmarking"
  | "multicast"
  | "broadcast"
  | "reserved"
  | "ipv4-mapped"
  | "ipv4-compatible"
  | "nat64"
  | "discard"
  | "teredo"
  | "unique-local"
  | "site-local";

export type AddressClass =
  | { readonly _tag: "PublicAddress"; readonly family: 4 | 6 }
  | {
      readonly _tag: "SpecialAddress";
      readonly family: 4 | 6;
      readonly range: AddressRange;
      /** The IPv4 address a NAT64 or 6to4 address carries, when that is what made it special. */
      readonly embedded?: string;
    }
  | { readonly _tag: "NotAnAddress" };

type Rule<T> = readonly [network: T, prefix: number, range: AddressRange];

const v4 = (dotted: string): number => {
  const parsed = parseIpAddress(dotted);
  if (parsed?.family !== 4) throw new Error(`bad IPv4 literal in table: ${dotted}`);
  return parsed.value;
};
const v6 = (text: string): bigint => {
  const parsed = parseIpAddress(text);
  if (parsed?.family !== 6) throw new Error(`bad IPv6 literal in table: ${text}`);
  return parsed.value;
};

// First match wins, so narrower ranges come before the ranges that contain them.
const IPV4_RULES: readonly Rule<number>[] = [
  [v4("169.254.169.254"), 32, "cloud-metadata"], // AWS, GCP, Azure IMDS, OpenStack
  [v4("169.254.170.2"), 32, "cloud-metadata"], // AWS ECS task metadata
  [v4("100.100.100.200"), 32, "cloud-metadata"], // Alibaba Cloud
  [v4("168.63.129.16"), 32, "cloud-metadata"], // Azure WireServer (public space, host-only)
  [v4("0.0.0.0"), 32, "unspecified"],
  [v4("0.0.0.0"), 8, "this-network"],
  [v4("10.0.0.0"), 8, "private"],
  [v4("100.64.0.0"), 10, "shared"],
  [v4("127.0.0.0"), 8, "loopback"],
  [v4("169.254.0.0"), 16, "link-local"],
  [v4("172.16.0.0"), 12, "private"],
  [v4("192.0.0.0"), 24, "protocol-assignments"],
  [v4("192.0.2.0"), 24, "documentation"],
  [v4("192.88.99.0"), 24, "reserved"], // former 6to4 relay anycast
  [v4("192.168.0.0"), 16, "private"],
  [v4("198.18.0.0"), 15, "benchmarking"],
  [v4("198.51.100.0"), 24, "documentation"],
  [v4("203.0.113.0"), 24, "documentation"],
  [v4("224.0.0.0"), 4, "multicast"],
  [v4("255.255.255.255"), 32, "broadcast"],
  [v4("240.0.0.0"), 4, "reserved"],
];

const IPV6_RULES: readonly Rule<bigint>[] = [
  [v6("::"), 128, "unspecified"],
  [v6("::1"), 128, "loopback"],
  [v6("::ffff:0:0"), 96, "ipv4-mapped"],
  [v6("::ffff:0:0:0"), 96, "ipv4-mapped"], // SIIT "IPv4-translated"
  [v6("::"), 96, "ipv4-compatible"],
  [v6("64:ff9b:1::"), 48, "nat64"], // local-use NAT64: its translator is ours to guess, refuse
  [v6("100::"), 64, "discard"],
  [v6("2001::"), 32, "teredo"],
  [v6("2001:db8::"), 32, "documentation"],
  [v6("3fff::"), 20, "documentation"],
  [v6("fd00:ec2::254"), 128, "cloud-metadata"],
  [v6("fc00::"), 7, "unique-local"],
  [v6("fec0::"), 10, "site-local"],
  [v6("fe80::"), 10, "link-local"],
  [v6("ff00::"), 8, "multicast"],
];

const NAT64 = v6("64:ff9b::");
const SIX_TO_FOUR = v6("2002::");
const GLOBAL_UNICAST = v6("2000::");

const inV4 = (address: number, network: number, prefix: number): boolean =>
  prefix === 0 || Math.floor(address / 2 ** (32 - prefix)) === Math.floor(network / 2 ** (32 - prefix));
const inV6 = (address: bigint, network: bigint, prefix: number): boolean =>
  address >> BigInt(128 - prefix) === network >> BigInt(128 - prefix);

const classifyV4 = (value: number): Exclude<AddressClass, { _tag: "NotAnAddress" }> => {
  const rule = IPV4_RULES.find(([network, prefix]) => inV4(value, network, prefix));
  return rule === undefined
    ? { _tag: "PublicAddress", family: 4 }
    : { _tag: "SpecialAddress", family: 4, range: rule[2] };
};

const classifyEmbedded = (embedded: number): AddressClass => {
  const inner = classifyV4(embedded);
  if (inner._tag === "PublicAddress") return { _tag: "PublicAddress", family: 6 };
  // A bare decimal is a one-part IPv4 spelling; parsing it yields the dotted form for messages.
  const text = parseIpAddress(String(embedded))?.text ?? String(embedded);
  return { _tag: "SpecialAddress", family: 6, range: inner.range, embedded: text };
};

const classifyV6 = (value: bigint): AddressClass => {
  if (inV6(value, NAT64, 96)) return classifyEmbedded(Number(value & 0xffffffffn));
  if (inV6(value, SIX_TO_FOUR, 16)) return classifyEmbedded(Number((value >> 80n) & 0xffffffffn));
  const rule = IPV6_RULES.find(([network, prefix]) => inV6(value, network, prefix));
  if (rule !== undefined) return { _tag: "SpecialAddress", family: 6, range: rule[2] };
  return inV6(value, GLOBAL_UNICAST, 3)
    ? { _tag: "PublicAddress", family: 6 }
    : { _tag: "SpecialAddress", family: 6, range: "reserved" };
};

export const classifyIpAddress = (address: string | IpAddress): AddressClass => {
  const parsed = typeof address === "string" ? parseIpAddress(address) : address;
  if (parsed === undefined) return { _tag: "NotAnAddress" };
  return parsed.family === 4 ? classifyV4(parsed.value) : classifyV6(parsed.value);
};
