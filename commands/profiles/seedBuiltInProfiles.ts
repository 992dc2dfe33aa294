// Seeds the built-in profiles as ProfileCreated events at kernel start. Each event's id is derived from
// the profile's id and appended only to a stream that does not exist yet: a second start, or a second
// kernel starting at once, adds nothing, and a user's later edit or delete of a built-in stays.
import { createHash } from "node:crypto";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { builtInProfiles } from "../../domain/profile/builtInProfiles.ts";
import { profileDecider } from "../../domain/profile/profileDecider.ts";
import { currentSchemaVersion } from "../../schemas/events/currentSchemaVersion.ts";
import { profileStream } from "../../schemas/events/streamNames.ts";

/** A name-based (version 5 style) UUID: the same built-in always gets the same event id. */
function seedEventId(profileId: string): string {
  const hex = createHash("sha1").update(`webencode:built-in-profile:${profileId}`).digest("hex");
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export async function seedBuiltInProfiles(store: EventStore, now: () => Date): Promise<void> {
  for (const [profileId, spec] of Object.entries(builtInProfiles)) {
    const decision = profileDecider.decide(
      { type: "CreateProfile", data: { profileId, spec, builtIn: true } },
      profileDecider.initialState(),
    );
    if (decision._tag !== "Accepted") throw new Error(`built-in profile ${profileId}: ${decision.message}`);
    const id = seedEventId(profileId);
    // WrongExpectedVersion: the stream is there (seeded before, perhaps edited or deleted since)
    await store.append(
      profileStream.name(profileId),
      decision.events.map((event) => ({
        id,
        type: event.type,
        data: event.data,
        metadata: {
          correlationId: id,
          causationId: id,
          actor: { userId: "system", role: "system" },
          occurredAt: now().toISOString(),
          schemaVersion: currentSchemaVersion(event.type),
        },
      })),
      { expected: "no_stream" },
    );
  }
}
