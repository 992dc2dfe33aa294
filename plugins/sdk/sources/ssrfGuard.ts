// Decides whether the platform may fetch an http(s) source URL: no credentials, and neither the host
// literal nor ANY of its resolved addresses in a loopback, private, link-local or other special range.
// Callers must connect to the returned addresses, not resolve the name again (DNS rebinding).
import type { LookupAddress } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { type AddressRange, classifyIpAddress } from "./classifyIpAddress.ts";
import { parseIpAddress } from "./parseIpAddress.ts";
import { type SourceRefused, sourceRefused } from "./sourceRefused.ts";

export type HostLookup = (hostname: string) => Promise<readonly LookupAddress[]>;

export interface RemoteSourceOptions {
  /** Open RFC 1918 private, CGNAT shared and IPv6 unique-local ranges (a NAS on the LAN). */
  readonly allowPrivate?: boolean;
  /** Host names or IP literals that may resolve anywhere except the ranges no fetch can use. */
  readonly allowHosts?: readonly string[];
  /** Resolver for host names; defaults to the system resolver (`dns.lookup`, all records). */
  readonly lookup?: HostLookup;
}

export interface RemoteSourceAllowed {
  readonly _tag: "Allowed";
  /** The URL as WHATWG normalizes it; hand this one on, never the raw input. */
  readonly url: string;
  /** Host name or IP literal without brackets. */
  readonly hostname: string;
  readonly addresses: readonly LookupAddress[];
}

// Ranges nothing can legitimately serve a video from, whatever the configuration says.
const NEVER_ALLOWED: ReadonlySet<AddressRange> = new Set([
  "unspecified",
  "this-network",
  "multicast",
  "broadcast",
  "cloud-metadata",
]);
const PRIVATE_RANGES: ReadonlySet<AddressRange> = new Set(["private", "shared", "unique-local"]);

const RAW_FORBIDDEN = /[\p{Cc}\s\\]/u;
const URL_HINT = "Use an absolute http:// or https:// URL, e.g. https://media.example.com/talk.mp4.";
const OPEN_HINT =
  "Use a publicly reachable URL. To fetch from a private network (e.g. a NAS), an administrator can " +
  "allow private networks or list the host in the source settings (allowPrivate / allowHosts).";

const defaultLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const schemeHint = (protocol: string): string => {
  switch (protocol) {
    case "fs:":
    case "file:":
      return "Local files are given as fs://<path> relative to the media root (or uploaded first).";
    case "rtmp:":
    case "rtmps:":
    case "rtsp:":
    case "srt:":
      return "Live inputs are published to a live stream (/v1/streams), not submitted as job sources.";
    default:
      return `Only http:// and https:// sources can be fetched. ${URL_HINT}`;
  }
};

/** Lower case, brackets and trailing dots dropped, IPv4 spellings folded by the WHATWG host parser. */
const canonicalHost = (host: string): string | undefined => {
  try {
    const hostname = new URL(`http://${host}/`).hostname;
    return hostname.replace(/^\[|\]$/g, "").replace(/\.+$/, "");
  } catch {
    return undefined;
  }
};

const isLocalhostName = (host: string): boolean => host === "localhost" || host.endsWith(".localhost");

export const checkRemoteSource = async (
  url: string,
  options: RemoteSourceOptions = {},
): Promise<RemoteSourceAllowed | SourceRefused> => {
  if (RAW_FORBIDDEN.test(url)) {
    return sourceRefused(
      "forbidden_character",
      "The source URL contains whitespace, a control character or a backslash.",
      `Percent-encode such characters. ${URL_HINT}`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return sourceRefused("malformed_url", "The source URL cannot be parsed.", URL_HINT);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return sourceRefused(
      "unsupported_scheme",
      `Sources with the ${parsed.protocol} scheme are not fetched.`,
      schemeHint(parsed.protocol),
      { scheme: parsed.protocol },
    );
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return sourceRefused(
      "credentials_in_url",
      "The source URL carries a user name or password.",
      "Remove user:password@ from the URL; use a pre-signed or token URL instead.",
    );
  }

  const hostname = parsed.hostname.replace(/^\[|\]$/g, "");
  const host = hostname.replace(/\.+$/, "");
  const allowHosts = new Set((options.allowHosts ?? []).map(canonicalHost));
  const listed = allowHosts.has(host);

  if (!listed && isLocalhostName(host)) {
    return sourceRefused("forbidden_host", `The source host ${host} is this machine.`, OPEN_HINT, { host });
  }

  let addresses: readonly LookupAddress[];
  const literal = parseIpAddress(hostname);
  if (literal !== undefined) {
    addresses = [{ address: literal.text, family: literal.family }];
  } else {
    try {
      addresses = await (options.lookup ?? defaultLookup)(hostname);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) {
      return sourceRefused(
        "unresolvable_host",
        `The source host ${host} cannot be resolved.`,
        "Check the host name and that it is reachable from the platform.",
        { host },
      );
    }
  }

  for (const { address } of addresses) {
    const verdict = classifyIpAddress(address);
    if (verdict._tag === "PublicAddress") continue;
    const range = verdict._tag === "SpecialAddress" ? verdict.range : "reserved";
    const opened =
      !NEVER_ALLOWED.has(range) && (listed || (options.allowPrivate === true && PRIVATE_RANGES.has(range)));
    if (opened) continue;
    return sourceRefused(
      "forbidden_address",
      `The source host ${host} is in a network range the platform does not fetch from (${range}).`,
      OPEN_HINT,
      {
        host,
        address,
        range,
        ...(verdict._tag === "SpecialAddress" && verdict.embedded !== undefined
          ? { embedded: verdict.embedded }
          : {}),
      },
    );
  }

  const unique = [...new Map(addresses.map((a) => [`${a.family}/${a.address}`, a])).values()];
  return { _tag: "Allowed", url: parsed.href, hostname, addresses: unique };
};
