// A stream key is a secret: on screen it stays masked but for its last four characters until revealed,
// also where it is part of a URL (an SRT URL carries it in its streamid).
const MASK = "••••••••";

export function maskStreamKey(key: string): string {
  return key.length <= 4 ? MASK : `${MASK}${key.slice(-4)}`;
}

/** The text with every occurrence of the key masked. */
export function maskKeyIn(text: string, key: string): string {
  return key ? text.split(key).join(maskStreamKey(key)) : text;
}

/** Where the stream API's URLs show the key's place without the key. */
export const STREAM_KEY_PLACEHOLDER = "{stream_key}";

/**
 * An SRT URL with its streamid's key masked, when the key itself is not known here: the key's place
 * (the API's placeholder) gets the masked hint, a key in clear is masked but for its last characters.
 */
export function maskStreamIdIn(url: string, keyHint = maskStreamKey("")): string {
  if (url.includes(STREAM_KEY_PLACEHOLDER)) return url.split(STREAM_KEY_PLACEHOLDER).join(keyHint);
  return url.replace(/(streamid=(?:[^&:/]*[:/])*)([^&:/]+)/, (_match, prefix: string, key: string) =>
    key.includes("•") ? `${prefix}${key}` : `${prefix}${maskStreamKey(key)}`,
  );
}
