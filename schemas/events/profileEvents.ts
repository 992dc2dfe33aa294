// The events of a `profile-{id}` stream: an encoding profile is created (by an admin, or seeded from the
// built-ins at kernel start), replaced whole by edits, and perhaps deleted. Jobs keep their own snapshot,
// so none of these changes a job already submitted.
import { z } from "zod";
import { profileIdSchema, profileSpecSchema } from "../profiles/profileSpec.ts";
import { type ParsedEvent, parseEventWithoutUpcasters } from "./parseEventWithoutUpcasters.ts";

const event = <Type extends string, Data extends z.ZodType>(type: Type, data: Data) =>
  z.strictObject({ type: z.literal(type), data });

export const profileEventSchema = z.discriminatedUnion("type", [
  event(
    "ProfileCreated",
    z.strictObject({
      profileId: profileIdSchema,
      spec: profileSpecSchema,
      /** Seeded from the platform's built-in profiles rather than written by a user. */
      builtIn: z.literal(true).optional(),
    }),
  ),
  event("ProfileUpdated", z.strictObject({ profileId: profileIdSchema, spec: profileSpecSchema })),
  event("ProfileDeleted", z.strictObject({ profileId: profileIdSchema })),
]);

export type ProfileEvent = z.infer<typeof profileEventSchema>;
export type ProfileEventType = ProfileEvent["type"];
export type ProfileEventData<Type extends ProfileEventType> = Extract<ProfileEvent, { type: Type }>["data"];

export const profileEventTypes: readonly ProfileEventType[] = profileEventSchema.options.map(
  (option) => option.shape.type.value,
);

export type ParsedProfileEvent = ParsedEvent<ProfileEvent>;

export const parseProfileEvent = parseEventWithoutUpcasters<ProfileEvent>(
  profileEventSchema,
  profileEventTypes,
);
