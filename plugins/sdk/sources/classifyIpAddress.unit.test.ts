import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyIpAddress } from "./classifyIpAddress.ts";
import { parseIpAddress } from "./parseIpAddress.ts";

const rangeOf = (address: string): string => {
  const verdict = classifyIpAddress(address);
  return verdict._tag === "SpecialAddress" ? verdict.range : verdict._tag;
};

describe("parseIpAddress", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["127.0.1", "127.0.0.1"],
    ["2130706433", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["0X7F.0x0.0.0x1", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["017700000001", "127.0.0.1"],
    ["127.000.000.001", "127.0.0.1"],
    ["127.0.0.1.", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["0x", "0.0.0.0"],
    ["4294967295", "255.255.255.255"],
    ["0127.0.0.1", "87.0.0.1"], // octal, as inet_aton and WHATWG read it
  ])("reads the IPv4 spelling %s as %s", (spelling, dotted) => {
    expect(parseIpAddress(spelling)).toMatchObject({ family: 4, text: dotted });
  });

  it.each([
    ["::1", 1n],
    ["[::1]", 1n],
    ["0:0:0:0:0:0:0:1", 1n],
    ["::ffff:127.0.0.1", 0xffff7f000001n],
    ["::FFFF:7F00:1", 0xffff7f000001n],
    ["fe80::1%eth0", 0xfe800000000000000000000000000001n],
    ["[fe80::1%25eth0]", 0xfe800000000000000000000000000001n],
    ["1:2:3:4:5:6:7::", 0x00010002000300040005000600070000n],
  ])("reads the IPv6 spelling %s", (spelling, value) => {
    expect(parseIpAddress(spelling)).toMatchObject({ family: 6, value });
  });

  it.each([
    "example.com",
    "4294967296",
    "256.0.0.1",
    "1.256.0.1",
    "1.2.3.4.5",
    "08.0.0.1",
    "0x1g.0.0.1",
    "1..1",
    "",
    "1::2::3",
    "::1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7",
    "12345::1",
    "::1.2.3",
    "1.2.3.4::",
    "::256.0.0.1",
    "::01.2.3.4",
  ])("does not read %j as an address", (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });
});

describe("classifyIpAddress", () => {
  it.each([
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "this-network"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["169.254.0.1", "link-local"],
    ["169.254.169.254", "cloud-metadata"],
    ["169.254.170.2", "cloud-metadata"],
    ["100.100.100.200", "cloud-metadata"],
    ["168.63.129.16", "cloud-metadata"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.0.0.8", "protocol-assignments"],
    ["192.0.2.1", "documentation"],
    ["192.88.99.1", "reserved"],
    ["192.168.1.1", "private"],
    ["198.18.0.1", "benchmarking"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "broadcast"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "ipv4-mapped"],
    ["::ffff:7f00:1", "ipv4-mapped"],
    ["::ffff:8.8.8.8", "ipv4-mapped"], // refused whatever it maps to: no DNS answer needs it
    ["::ffff:0:10.0.0.1", "ipv4-mapped"],
    ["::127.0.0.1", "ipv4-compatible"],
    ["::7f00:1", "ipv4-compatible"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::a00:1", "private"],
    ["64:ff9b::a9fe:a9fe", "cloud-metadata"],
    ["64:ff9b:1::1", "nat64"],
    ["100::1", "discard"],
    ["2001::1", "teredo"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo"],
    ["2001:db8::1", "documentation"],
    ["3fff::1", "documentation"],
    ["2002:7f00:1::1", "loopback"],
    ["2002:c0a8:101::1", "private"],
    ["2002:a9fe:a9fe::", "cloud-metadata"],
    ["fc00::1", "unique-local"],
    ["fd12:3456:789a::1", "unique-local"],
    ["fd00:ec2::254", "cloud-metadata"],
    ["fec0::1", "site-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["ff02::1", "multicast"],
    ["::2", "ipv4-compatible"],
    ["1::", "reserved"],
    ["4000::1", "reserved"],
    ["e000::1", "reserved"],
  ])("puts %s in the %s range", (address, range) => {
    expect(rangeOf(address)).toBe(range);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "192.167.255.255",
    "192.169.0.0",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82b::200e",
    "64:ff9b::808:808",
    "2002:808:808::1",
    "2001:4860:4860::8888",
  ])("finds %s public", (address) => {
    expect(rangeOf(address)).toBe("PublicAddress");
  });

  it("names the IPv4 address a NAT64 or 6to4 address carries", () => {
    expect(classifyIpAddress("64:ff9b::a00:1")).toMatchObject({ embedded: "10.0.0.1", family: 6 });
    expect(classifyIpAddress("2002:c0a8:101::1")).toMatchObject({ embedded: "192.168.1.1" });
  });

  it("judges every IPv4 spelling of an address as it judges the dotted quad", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 3 }), (value, style) => {
        const dotted = parseIpAddress(String(value))?.text ?? "";
        const spelled = [
          String(value),
          `0x${value.toString(16)}`,
          `0${value.toString(8)}`,
          `${Math.floor(value / 2 ** 24)}.0x${(value % 2 ** 24).toString(16)}`,
        ][style] as string;
        expect(rangeOf(spelled)).toBe(rangeOf(dotted));
        expect(rangeOf(`::ffff:${dotted}`)).toBe("ipv4-mapped");
        expect(rangeOf(`64:ff9b::${dotted}`)).toBe(rangeOf(dotted));
      }),
      { numRuns: 5000 },
    );
  });
});
