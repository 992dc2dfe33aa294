// Reads a stored event of an aggregate whose events have no upcasters yet (tokens, workers): its type
// must be one of the schema's, its schema version the current one, its data valid. Failures are values.
import type { z } from "zod";
import { currentSchemaVersion } from "./currentSchemaVersion.ts";
import { type EventMetadata, eventMetadataSchema } from "./eventMetadata.ts";
import type { EventIssue, StoredEvent } from "./parseStoredEvent.ts";

export type ParsedEvent<Event> =
  | { _tag: "Parsed"; event: Event; metadata: EventMetadata }
  | { _tag: "UnknownEventType"; type: string }
  | { _tag: "MalformedEvent"; type: string; issues: EventIssue[] };

const issuesOf = (error: z.ZodError, root: string): EventIssue[] =>
  error.issues.map((issue) => ({
    path: [root, ...issue.path.map(String)].filter((part) => part !== "").join("."),
    message: issue.message,
  }));

export function parseEventWithoutUpcasters<Event>(
  schema: z.ZodType<Event>,
  types: readonly string[],
): (stored: StoredEvent) => ParsedEvent<Event> {
  return ({ type, data, metadata }) => {
    if (!types.includes(type)) return { _tag: "UnknownEventType", type };
    const malformed = (issues: EventIssue[]): ParsedEvent<Event> => ({
      _tag: "MalformedEvent",
      type,
      issues,
    });
    const parsedMetadata = eventMetadataSchema.safeParse(metadata);
    if (!parsedMetadata.success) return malformed(issuesOf(parsedMetadata.error, "metadata"));
    const stored = parsedMetadata.data.schemaVersion;
    const current = currentSchemaVersion(type);
    if (stored !== current) {
      const message = `schema version ${stored} is not one this build reads (${current})`;
      return malformed([{ path: "metadata.schemaVersion", message }]);
    }
    const parsed = schema.safeParse({ type, data });
    if (!parsed.success) return malformed(issuesOf(parsed.error, ""));
    return { _tag: "Parsed", event: parsed.data, metadata: parsedMetadata.data };
  };
}
