import { upcasterOf } from "./upcasters.ts";

/** The schema version writers stamp on new events of this type: one past the last upcaster. */
export function currentSchemaVersion(type: string): number {
  let version = 1;
  while (upcasterOf(type, version)) version++;
  return version;
}
