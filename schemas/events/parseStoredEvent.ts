// Turns a stored event (type, JSON data, JSON metadata) into a typed event of the current schema
// version, upcasting older versions. Failures are values, so a projector can stop and name the position.
import type { z } from "zod";
import { exactParser } from "../exactParser.ts";
import { currentSchemaVersion } from "./currentSchemaVersion.ts";
import { type EventMetadata, eventMetadataSchema } from "./eventMetadata.ts";
import { isJobEventType, type JobEvent, jobEventSchema } from "./jobEvents.ts";
import { type StoredData, upcasterOf } from "./upcasters.ts";

export interface StoredEvent {
  type: string;
  data: unknown;
  metadata: unknown;
}

export interface EventIssue {
  /** Where in the stored event, e.g. "data.video.width" or "metadata.occurredAt". */
  path: string;
  message: string;
}

export type ParsedStoredEvent =
  /** `metadata` is as stored: its schemaVersion is the version the event was written with. */
  | { _tag: "Parsed"; event: JobEvent; metadata: EventMetadata }
  | { _tag: "UnknownEventType"; type: string }
  | { _tag: "MalformedEvent"; type: string; issues: EventIssue[] };

// every event of a rebuild comes through here: the exact parser spares zod's copy of valid events
const parseMetadata = exactParser(eventMetadataSchema);
const parseJobEvent = exactParser(jobEventSchema);

const isStoredData = (value: unknown): value is StoredData =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const issuesOf = (error: z.ZodError, root: string): EventIssue[] =>
  error.issues.map((issue) => ({
    path: [root, ...issue.path.map(String)].filter((part) => part !== "").join("."),
    message: issue.message,
  }));

const malformedEvent = (type: string, issues: EventIssue[]): ParsedStoredEvent => ({
  _tag: "MalformedEvent",
  type,
  issues,
});

export function parseStoredEvent({ type, data, metadata }: StoredEvent): ParsedStoredEvent {
  if (!isJobEventType(type)) return { _tag: "UnknownEventType", type };

  const parsedMetadata = parseMetadata(metadata);
  if (!parsedMetadata.success) return malformedEvent(type, issuesOf(parsedMetadata.error, "metadata"));

  const current = currentSchemaVersion(type);
  const stored = parsedMetadata.data.schemaVersion;
  if (stored > current) {
    const message = `schema version ${stored} is newer than the newest this build reads (${current})`;
    return malformedEvent(type, [{ path: "metadata.schemaVersion", message }]);
  }
  let upcast = data;
  for (let version = stored; version < current; version++) {
    if (!isStoredData(upcast)) return malformedEvent(type, [{ path: "data", message: "expected an object" }]);
    // The chain is contiguous by construction (currentSchemaVersion counts it), so each step exists.
    upcast = upcasterOf(type, version)!(upcast);
  }

  const parsed = parseJobEvent({ type, data: upcast });
  if (!parsed.success) return malformedEvent(type, issuesOf(parsed.error, ""));
  return { _tag: "Parsed", event: parsed.data, metadata: parsedMetadata.data };
}
