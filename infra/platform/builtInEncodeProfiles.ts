// The built-in profiles as the encoder plans them, for jobs submitted before profiles were stored (they
// name a built-in and carry no snapshot). One source: the stored built-ins of domain/profile.
import { builtInProfiles } from "../../domain/profile/builtInProfiles.ts";
import { encodeProfileOf } from "../../plugins/sdk/encodeProfileOf.ts";

export const builtInEncodeProfiles = Object.fromEntries(
  Object.entries(builtInProfiles).map(([id, spec]) => [id, { ...encodeProfileOf(spec), name: id }]),
);
