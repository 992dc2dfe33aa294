// Upcasters lift stored event data one schema version at a time, on read; stored events are never
// rewritten. Keyed by event type, then by the version they upcast from (to that version + 1).
import type { JobEventType } from "./jobEvents.ts";

export type StoredData = Record<string, unknown>;

export type Upcaster = (data: StoredData) => StoredData;

export type UpcasterRegistry = Partial<Record<JobEventType, Readonly<Record<number, Upcaster>>>>;

/** v1 stored `source` (a URL) and `profile`; v2 names them and records where the source came from. */
const jobSubmittedV1ToV2: Upcaster = ({ source, profile, ...rest }) => ({
  ...rest,
  sourceType: typeof source === "string" && source.startsWith("fs://uploads/") ? "upload" : "url",
  sourceUrl: source,
  profileId: profile,
});

export const upcasters: UpcasterRegistry = {
  JobSubmitted: { 1: jobSubmittedV1ToV2 },
};

/** The upcaster from `version` to `version + 1` of an event type, if there is one. */
export function upcasterOf(type: string, version: number): Upcaster | undefined {
  const chain: Readonly<Record<number, Upcaster>> | undefined = Object.hasOwn(upcasters, type)
    ? upcasters[type as JobEventType]
    : undefined;
  return chain && Object.hasOwn(chain, version) ? chain[version] : undefined;
}
