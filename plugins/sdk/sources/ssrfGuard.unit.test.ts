import type { LookupAddress } from "node:dns";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { classifyIpAddress } from "./classifyIpAddress.ts";
import { parseIpAddress } from "./parseIpAddress.ts";
import { checkRemoteSource, type HostLookup } from "./ssrfGuard.ts";

const familyOf = (address: string): 4 | 6 => (address.includes(":") ? 6 : 4);
const records = (...addresses: string[]): LookupAddress[] =>
  addresses.map((address) => ({ address, family: familyOf(address) }));

/** A resolver from a fixed zone; unknown names fail like dns.lookup does. */
const zone =
  (entries: Record<string, string[]>): HostLookup =>
  async (hostname) => {
    const found = entries[hostname.replace(/\.$/, "")];
    if (found === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return records(...found);
  };

const ZONE = zone({
  "media.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
  "cdn.example.net": ["151.101.1.1", "151.101.65.1"],
  "v6only.example.org": ["2a00:1450:4001:82b::200e"],
  "internal.example.com": ["10.0.0.5"],
  "rebind.example.com": ["93.184.216.34", "127.0.0.1"],
  "mixed6.example.com": ["2606:2800:220:1::1", "fe80::1"],
  "mapped.example.com": ["::ffff:10.0.0.1"],
  "metadata.example.com": ["169.254.169.254"],
  "127.0.0.1.nip.io": ["127.0.0.1"],
  "v6local.example.com": ["::1"],
  "ula.example.com": ["fd00::25"],
  "nas.lab": ["192.168.1.10"],
  "other.lab": ["192.168.1.11"],
  "lab-metadata.lab": ["169.254.169.254"],
  localhost: ["127.0.0.1", "::1"],
  "empty.example.com": [],
  "garbage.example.com": ["not-an-address"],
});

/** For checks that must never consult DNS (literals, schemes, credentials). */
const noLookup: HostLookup = async (hostname) => {
  throw new Error(`unexpected lookup of ${hostname}`);
};

describe("checkRemoteSource refuses", () => {
  it.each([
    // loopback in every spelling
    ["http://127.0.0.1/v.mp4", "forbidden_address"],
    ["http://127.1/", "forbidden_address"],
    ["http://127.0.1/", "forbidden_address"],
    ["http://2130706433/", "forbidden_address"],
    ["http://0x7f000001/", "forbidden_address"],
    ["http://0x7f.1/", "forbidden_address"],
    ["http://0x7F.0X0.0.0x1/", "forbidden_address"],
    ["http://0177.0.0.1/", "forbidden_address"],
    ["http://017700000001/", "forbidden_address"],
    ["http://127.000.000.001/", "forbidden_address"],
    ["http://127.0.0.1./", "forbidden_address"],
    ["http://%31%32%37.0.0.1/", "forbidden_address"],
    ["http://①②⑦.0.0.1/", "forbidden_address"],
    ["http://127.255.255.254:8080/", "forbidden_address"],
    ["http://[::1]/", "forbidden_address"],
    ["http://[0:0:0:0:0:0:0:1]:8080/", "forbidden_address"],
    ["http://localhost/", "forbidden_host"],
    ["http://localhost./", "forbidden_host"],
    ["http://LOCALHOST:9000/", "forbidden_host"],
    ["http://ｌｏｃａｌｈｏｓｔ/", "forbidden_host"],
    ["http://api.localhost/", "forbidden_host"],
    // unspecified, broadcast, multicast
    ["http://0.0.0.0/", "forbidden_address"],
    ["http://0/", "forbidden_address"],
    ["http://0x0/", "forbidden_address"],
    ["http://[::]/", "forbidden_address"],
    ["http://255.255.255.255/", "forbidden_address"],
    ["http://4294967295/", "forbidden_address"],
    ["http://224.0.0.251/", "forbidden_address"],
    ["http://[ff02::1]/", "forbidden_address"],
    // private, shared, link-local, metadata
    ["http://10.0.0.1/", "forbidden_address"],
    ["http://012.0.0.1/", "forbidden_address"],
    ["http://172.16.0.1/", "forbidden_address"],
    ["http://172.31.255.255/", "forbidden_address"],
    ["http://192.168.1.1/", "forbidden_address"],
    ["http://0xc0a80101/", "forbidden_address"],
    ["http://3232235777/", "forbidden_address"],
    ["https://192.168.0.1:8443/x.mp4", "forbidden_address"],
    ["http://100.64.0.1/", "forbidden_address"],
    ["http://169.254.169.254/latest/meta-data/", "forbidden_address"],
    ["http://0xa9fea9fe/", "forbidden_address"],
    ["http://2852039166/", "forbidden_address"],
    ["http://169.254.1.1/", "forbidden_address"],
    ["http://[fe80::1]/", "forbidden_address"],
    ["http://[fc00::1]/", "forbidden_address"],
    ["http://[fd12:3456:789a::1]/", "forbidden_address"],
    ["http://[fd00:ec2::254]/", "forbidden_address"],
    // IPv4 inside IPv6
    ["http://[::ffff:127.0.0.1]/", "forbidden_address"],
    ["http://[::ffff:7f00:1]/", "forbidden_address"],
    ["http://[0:0:0:0:0:ffff:127.0.0.1]/", "forbidden_address"],
    ["http://[::ffff:a9fe:a9fe]/", "forbidden_address"],
    ["http://[::127.0.0.1]/", "forbidden_address"],
    ["http://[64:ff9b::7f00:1]/", "forbidden_address"],
    ["http://[64:ff9b::10.0.0.1]/", "forbidden_address"],
    ["http://[2002:7f00:1::]/", "forbidden_address"],
    ["http://[2002:c0a8:101::1]/", "forbidden_address"],
    ["http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "forbidden_address"],
    // zone ids: WHATWG refuses them in a URL at all
    ["http://[fe80::1%25eth0]/", "malformed_url"],
    ["http://[fe80::1%eth0]/", "malformed_url"],
    // schemes
    ["file:///etc/passwd", "unsupported_scheme"],
    ["fs://videos/a.mp4", "unsupported_scheme"],
    ["ftp://ftp.example.com/a.mp4", "unsupported_scheme"],
    ["gopher://127.0.0.1:6379/_INFO", "unsupported_scheme"],
    ["dict://127.0.0.1:11211/stat", "unsupported_scheme"],
    ["data:video/mp4;base64,AAAA", "unsupported_scheme"],
    ["rtmp://live.example.com/app/key", "unsupported_scheme"],
    ["srt://live.example.com:9000", "unsupported_scheme"],
    ["javascript:alert(1)", "unsupported_scheme"],
    // credentials and parser-differential bait
    ["http://user:secret@media.example.com/v.mp4", "credentials_in_url"],
    ["http://user@media.example.com/v.mp4", "credentials_in_url"],
    ["http://media.example.com@127.0.0.1/", "credentials_in_url"],
    ["http://media.example.com\\@127.0.0.1/", "forbidden_character"],
    [" http://127.0.0.1/", "forbidden_character"],
    ["http://127.0.0\t.1/", "forbidden_character"],
    ["http://media.example.com/\r\nHost: 127.0.0.1", "forbidden_character"],
    ["http://127.0.0.1%00.example.com/", "malformed_url"],
    ["http://0x7f.0.0.0x100/", "malformed_url"],
    ["http://4294967296/", "malformed_url"],
    ["http://", "malformed_url"],
    ["not a url", "forbidden_character"],
    ["media.example.com/v.mp4", "malformed_url"],
  ])("%s (%s)", async (url, reason) => {
    const result = await checkRemoteSource(url, { lookup: noLookup });
    expect(result).toMatchObject({ _tag: "SourceRefused", reason });
    if (result._tag === "SourceRefused") {
      expect(result.code).toBe(reason === "malformed_url" ? "WE-JOB-001" : "WE-JOB-002");
      expect(result.message).not.toBe("");
      expect(result.hint).not.toBe("");
    }
  });

  it.each([
    ["http://internal.example.com/v.mp4", "10.0.0.5"],
    ["http://rebind.example.com/v.mp4", "127.0.0.1"],
    ["http://mixed6.example.com/v.mp4", "fe80::1"],
    ["http://mapped.example.com/", "::ffff:10.0.0.1"],
    ["http://metadata.example.com/latest/meta-data/", "169.254.169.254"],
    ["http://127.0.0.1.nip.io/", "127.0.0.1"],
    ["http://v6local.example.com/", "::1"],
    ["http://ula.example.com/", "fd00::25"],
    ["http://internal.example.com./v.mp4", "10.0.0.5"],
    ["http://INTERNAL.Example.COM/v.mp4", "10.0.0.5"],
    ["http://garbage.example.com/", "not-an-address"],
  ])("a name resolving to a forbidden address: %s", async (url, address) => {
    expect(await checkRemoteSource(url, { lookup: ZONE })).toMatchObject({
      _tag: "SourceRefused",
      code: "WE-JOB-002",
      reason: "forbidden_address",
      details: { address },
    });
  });

  it.each(["http://nowhere.invalid/", "http://empty.example.com/"])(
    "a name that does not resolve: %s",
    async (url) => {
      expect(await checkRemoteSource(url, { lookup: ZONE })).toMatchObject({
        reason: "unresolvable_host",
        code: "WE-JOB-002",
      });
    },
  );

  it("hints at the right place for each refused scheme", async () => {
    const hint = async (url: string) => {
      const result = await checkRemoteSource(url, { lookup: noLookup });
      return result._tag === "SourceRefused" ? result.hint : "";
    };
    expect(await hint("file:///srv/media/a.mp4")).toContain("fs://");
    expect(await hint("rtmp://live.example.com/app/key")).toContain("/v1/streams");
    expect(await hint("ftp://ftp.example.com/a.mp4")).toContain("https://");
  });

  it("explains a forbidden address without claiming the host is unreachable", async () => {
    const result = await checkRemoteSource("http://[64:ff9b::10.0.0.1]/", { lookup: noLookup });
    expect(result).toMatchObject({ details: { range: "private", embedded: "10.0.0.1" } });
    if (result._tag === "SourceRefused") expect(result.hint).toMatch(/allowPrivate|allowHosts/);
  });
});

describe("checkRemoteSource allows", () => {
  it.each([
    ["http://8.8.8.8/v.mp4", "8.8.8.8", 4],
    ["https://1.1.1.1/v.mp4", "1.1.1.1", 4],
    ["http://134744072/v.mp4", "8.8.8.8", 4],
    ["http://0127.0.0.1/", "87.0.0.1", 4], // octal: 87.0.0.1, as WHATWG and inet_aton both read it
    ["http://[2606:4700:4700::1111]/", "2606:4700:4700::1111", 6],
    ["http://[64:ff9b::808:808]/", "64:ff9b::808:808", 6],
    ["http://[2002:808:808::1]/", "2002:808:808::1", 6],
  ])("the public literal %s without a lookup", async (url, address, family) => {
    expect(await checkRemoteSource(url, { lookup: noLookup })).toMatchObject({
      _tag: "Allowed",
      addresses: [{ address, family }],
    });
  });

  it("a public name with ALL its records, in resolver order, and the normalized URL", async () => {
    const lookup = vi.fn(ZONE);
    const result = await checkRemoteSource("HTTPS://Media.Example.COM:443/a%20b.mp4?x=1#t", { lookup });
    expect(lookup).toHaveBeenCalledWith("media.example.com");
    expect(result).toEqual({
      _tag: "Allowed",
      url: "https://media.example.com/a%20b.mp4?x=1#t",
      hostname: "media.example.com",
      addresses: records("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"),
    });
  });

  it("names with several public or IPv6-only records", async () => {
    expect(await checkRemoteSource("http://cdn.example.net/v.mp4", { lookup: ZONE })).toMatchObject({
      _tag: "Allowed",
      addresses: records("151.101.1.1", "151.101.65.1"),
    });
    expect(await checkRemoteSource("http://v6only.example.org/v.mp4", { lookup: ZONE })).toMatchObject({
      _tag: "Allowed",
      addresses: records("2a00:1450:4001:82b::200e"),
    });
  });

  it("duplicate records once", async () => {
    const lookup: HostLookup = async () => records("93.184.216.34", "93.184.216.34");
    expect(await checkRemoteSource("http://dup.example.com/", { lookup })).toMatchObject({
      addresses: records("93.184.216.34"),
    });
  });
});

describe("checkRemoteSource exceptions", () => {
  it("allowPrivate opens RFC 1918, CGNAT and unique-local addresses", async () => {
    const options = { allowPrivate: true, lookup: ZONE };
    for (const url of [
      "http://192.168.1.10/v.mp4",
      "http://10.0.0.1/",
      "http://172.20.0.1/",
      "http://100.64.0.1/",
      "http://[fd12::1]/",
      "http://nas.lab/v.mp4",
      "http://internal.example.com/",
      "http://[64:ff9b::10.0.0.1]/",
    ]) {
      expect(await checkRemoteSource(url, options), url).toMatchObject({ _tag: "Allowed" });
    }
  });

  it("allowPrivate keeps loopback, link-local, metadata and the rest closed", async () => {
    const options = { allowPrivate: true, lookup: ZONE };
    for (const url of [
      "http://127.0.0.1/",
      "http://[::1]/",
      "http://localhost/",
      "http://169.254.169.254/",
      "http://169.254.1.1/",
      "http://[fe80::1]/",
      "http://100.100.100.200/",
      "http://0.0.0.0/",
      "http://224.0.0.1/",
      "http://[::ffff:10.0.0.1]/",
      "http://rebind.example.com/",
      "http://metadata.example.com/",
    ]) {
      expect(await checkRemoteSource(url, options), url).toMatchObject({ _tag: "SourceRefused" });
    }
  });

  it("allowHosts opens exactly the listed hosts, however they are spelled", async () => {
    const options = { allowHosts: ["NAS.LAB.", "localhost", "0xa000005"], lookup: ZONE };
    expect(await checkRemoteSource("http://nas.lab/v.mp4", options)).toMatchObject({
      _tag: "Allowed",
      addresses: records("192.168.1.10"),
    });
    expect(await checkRemoteSource("http://localhost:9000/v.mp4", options)).toMatchObject({
      _tag: "Allowed",
      addresses: records("127.0.0.1", "::1"),
    });
    expect(await checkRemoteSource("http://10.0.0.5/v.mp4", options)).toMatchObject({ _tag: "Allowed" });
    expect(await checkRemoteSource("http://other.lab/v.mp4", options)).toMatchObject({
      reason: "forbidden_address",
    });
    expect(await checkRemoteSource("http://10.0.0.6/v.mp4", options)).toMatchObject({
      reason: "forbidden_address",
    });
    expect(await checkRemoteSource("http://127.0.0.1/v.mp4", options)).toMatchObject({
      reason: "forbidden_address",
    });
  });

  it("allowHosts never opens metadata, unspecified, multicast or broadcast addresses", async () => {
    const options = {
      allowHosts: ["lab-metadata.lab", "169.254.169.254", "0.0.0.0", "224.0.0.1", "255.255.255.255"],
      lookup: ZONE,
    };
    for (const url of [
      "http://lab-metadata.lab/",
      "http://169.254.169.254/",
      "http://0.0.0.0/",
      "http://224.0.0.1/",
      "http://255.255.255.255/",
    ]) {
      expect(await checkRemoteSource(url, options), url).toMatchObject({ reason: "forbidden_address" });
    }
  });

  it("no exception opens credentials or other schemes", async () => {
    const options = { allowPrivate: true, allowHosts: ["nas.lab"], lookup: ZONE };
    expect(await checkRemoteSource("http://u:p@nas.lab/", options)).toMatchObject({
      reason: "credentials_in_url",
    });
    expect(await checkRemoteSource("ftp://nas.lab/", options)).toMatchObject({
      reason: "unsupported_scheme",
    });
  });
});

describe("checkRemoteSource holds whatever spelling the URL parser is given", () => {
  // Spells a 32-bit address the ways inet_aton accepts; WHATWG folds them all to a dotted quad.
  const spell = (value: number, style: number, radices: number[]): string => {
    const part = (n: number, radix: number) =>
      radix === 16 ? `0x${n.toString(16)}` : radix === 8 ? `0${n.toString(8)}` : String(n);
    const r = (i: number) => radices[i % radices.length] ?? 10;
    const b = [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256) as [
      number,
      number,
      number,
      number,
    ];
    switch (style) {
      case 0:
        return part(value, r(0));
      case 1:
        return `${part(b[0], r(0))}.${part(value % 2 ** 24, r(1))}`;
      case 2:
        return `${part(b[0], r(0))}.${part(b[1], r(1))}.${part(value % 2 ** 16, r(2))}`;
      default:
        return b.map((n, i) => part(n, r(i))).join(".");
    }
  };

  it("refuses exactly the addresses whose dotted form is special, in every spelling", async () => {
    const special = fc.constantFrom(0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 240, 255);
    const address = fc.oneof(
      fc.nat({ max: 0xffffffff }),
      fc.tuple(special, fc.nat({ max: 0xffffff })).map(([high, low]) => high * 2 ** 24 + low),
    );
    await fc.assert(
      fc.asyncProperty(
        address,
        fc.nat({ max: 3 }),
        fc.array(fc.constantFrom(8, 10, 16), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        async (value, style, radices, trailingDot) => {
          const dotted = parseIpAddress(String(value))?.text ?? "";
          const spelled = `${spell(value, style, radices)}${trailingDot ? "." : ""}`;
          const isPublic = classifyIpAddress(dotted)._tag === "PublicAddress";
          expect(classifyIpAddress(spelled)._tag === "PublicAddress").toBe(isPublic);
          const result = await checkRemoteSource(`http://${spelled}/v.mp4`, { lookup: noLookup });
          expect(result._tag).toBe(isPublic ? "Allowed" : "SourceRefused");
          if (result._tag === "Allowed") expect(result.addresses).toEqual([{ address: dotted, family: 4 }]);
          const mapped = await checkRemoteSource(`http://[::ffff:${dotted}]/`, { lookup: noLookup });
          expect(mapped._tag).toBe("SourceRefused");
        },
      ),
      { numRuns: 3000 },
    );
  });
});
