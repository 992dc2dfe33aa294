// For tests only (WEBENCODE_TEST_SOURCE_HOSTS): a resolver that answers listed host names from a script,
// one answer per lookup and the last one repeated, so a test can play a DNS server that rebinds a name
// between two lookups. Names not listed go to the system resolver.
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { HostLookup } from "../../plugins/sdk/sources/ssrfGuard.ts";

/** `script` is JSON: `{ "rebind.test": ["93.184.216.34", "127.0.0.1"] }`. */
export function scriptedLookup(script: string): HostLookup {
  const parsed: unknown = JSON.parse(script);
  const answers = new Map<string, string[]>();
  for (const [host, addresses] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Array.isArray(addresses) || addresses.length === 0 || !addresses.every((a) => isIP(String(a)))) {
      throw new Error(`WEBENCODE_TEST_SOURCE_HOSTS: ${host} needs a list of IP addresses`);
    }
    answers.set(host.toLowerCase(), addresses.map(String));
  }
  return async (hostname) => {
    const queue = answers.get(hostname.toLowerCase());
    if (queue === undefined) return dnsLookup(hostname, { all: true, verbatim: true });
    const address = queue.length > 1 ? queue.shift()! : queue[0]!;
    return [{ address, family: isIP(address) }];
  };
}
