// A restream destination's URL: whether it is one we can publish to (rtmp://, rtmps://, srt://), and the
// form anyone but the publishing process sees, the stream key masked but for its last four characters.

export type DestinationUrlCheck = { ok: true } | { ok: false; reason: string };

const schemes = new Set(["rtmp:", "rtmps:", "srt:"]);
const secretQueryKeys = new Set([
  "streamid",
  "passphrase",
  "key",
  "token",
  "auth",
  "secret",
  "pass",
  "password",
]);
const dots = "••••";

/** `••••abcd`; a key of four characters or fewer is masked whole, so it never shows entire. */
export const maskSecret = (secret: string): string =>
  secret.length <= 4 ? dots : `${dots}${secret.slice(-4)}`;

function parsed(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

export function checkDestinationUrl(url: string): DestinationUrlCheck {
  // control characters or spaces would reach ffmpeg's argument as they are
  const unprintable = [...url].some((char) => char.charCodeAt(0) <= 0x20 || char.charCodeAt(0) === 0x7f);
  if (unprintable) return { ok: false, reason: "the URL holds spaces or control characters" };
  const parts = parsed(url);
  if (parts === null) return { ok: false, reason: "not a URL" };
  if (!schemes.has(parts.protocol)) {
    return { ok: false, reason: `scheme ${parts.protocol.replace(":", "")} is not rtmp, rtmps or srt` };
  }
  if (parts.hostname === "") return { ok: false, reason: "no host" };
  if (parts.protocol === "srt:") {
    if (parts.port === "") return { ok: false, reason: "an srt:// URL needs a port" };
    return { ok: true };
  }
  const segments = parts.pathname.split("/").filter((segment) => segment !== "");
  if (segments.length < 2)
    return { ok: false, reason: "an RTMP URL needs an application and a stream key: /app/key" };
  return { ok: true };
}

/** The URL with its stream key, credentials and secret query values masked; a URL that does not parse is masked whole. */
export function maskDestinationUrl(url: string): string {
  const parts = parsed(url);
  if (parts === null || !schemes.has(parts.protocol)) return dots;
  const port = parts.port === "" ? "" : `:${parts.port}`;
  const credentials = parts.username === "" && parts.password === "" ? "" : `${dots}@`;
  let path = parts.pathname;
  if (parts.protocol !== "srt:") {
    const segments = path.split("/");
    const last = segments.findLastIndex((segment) => segment !== "");
    if (last > 1 || (last === 1 && segments.length > 2))
      segments[last] = maskSecret(decodeURIComponent(segments[last]!));
    path = segments.join("/");
  }
  const query = [...parts.searchParams]
    .map(([key, value]) => `${key}=${secretQueryKeys.has(key.toLowerCase()) ? maskSecret(value) : value}`)
    .join("&");
  return `${parts.protocol}//${credentials}${parts.hostname}${port}${path}${query === "" ? "" : `?${query}`}`;
}
