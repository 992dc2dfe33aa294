// Secrets kept under the data directory: generated once and written whole or not at all, so a crash can
// never leave an empty or short file that becomes the key.
import { randomBytes } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeWholeFile } from "./writeWholeFile.ts";

/** Signing keys are HMAC keys: shorter than this they can be guessed, whoever chose them. */
export const MIN_SECRET_BYTES = 32;

export interface PersistentSecretOptions {
  /** Random bytes of a generated secret (default 32); it is stored base64url-encoded. */
  bytes?: number;
  /** What we decided on the user's behalf, e.g. replacing a secret file a crash left short. */
  onNotice?: (message: string) => void;
}

/** The secret `name` of this data directory, generated on first use. */
export async function persistentSecret(
  dataDir: string,
  name: string,
  options: PersistentSecretOptions = {},
): Promise<string> {
  const bytes = options.bytes ?? MIN_SECRET_BYTES;
  // what we write is exactly this long; anything shorter is a write that never finished
  const length = Math.ceil((bytes * 4) / 3);
  const file = join(dataDir, "secrets", name);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const existing = await readSecret(file);
  if (existing !== null && existing.length >= length) return existing;
  const secret = randomBytes(bytes).toString("base64url");
  if (existing === null) {
    // first start: whoever links first wins, the others read the winner's secret
    if (await writeWholeFile(file, secret, { exclusive: true })) return secret;
    return persistentSecret(dataDir, name, options);
  }
  // An empty or short file cannot be a key that ever signed anything: replacing it loses nothing.
  options.onNotice?.(`${file} was empty or cut short (a crash while it was written); generated a new one`);
  await writeWholeFile(file, secret);
  return (await readSecret(file)) ?? secret;
}

async function readSecret(file: string): Promise<string | null> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
