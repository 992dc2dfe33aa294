// Seals a restream destination's URL (its stream key is a secret) for the log, and opens it again in the
// process that publishes to it. The key is the platform's: sealed URLs travel only between our processes.
import type { SealedDestinationUrl } from "../../schemas/events/restreamEvents.ts";

export interface DestinationUrlSealer {
  /** The URL sealed, with its masked form; sealing twice gives two different ciphertexts. */
  seal(url: string): SealedDestinationUrl;
  /** The URL in clear; throws when the ciphertext was not sealed under this platform's key. */
  open(sealed: SealedDestinationUrl): string;
}
