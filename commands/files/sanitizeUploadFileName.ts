// Makes a client-supplied file name safe to use as one path segment: the last component only, no
// separators, controls, bidi overrides or leading dots, at most MAX_NAME_BYTES of UTF-8. Letters in
// any script are kept; `%` goes too, so the name survives one round of percent-decoding unchanged.
const MAX_NAME_BYTES = 160;
const MAX_EXTENSION_BYTES = 16;
const FALLBACK = "upload";

// Windows-reserved punctuation, `%`, C0/C1 controls, DEL, lone surrogates (no valid UTF-8 for them);
// then bidi controls that disguise extensions.
const REPLACED = /[<>:"|?*%\p{Cc}\p{Cs}]/gu; // \p{Cs} under /u: unpaired surrogates only
const DROPPED = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Compatibility forms that NFKC turns into dots, separators or the like ("﹨", "／", "‥", "％").
const FOLDS_TO_PUNCTUATION = /[./\\<>:"|?*%]/;
const NON_ASCII = /\P{ASCII}/gu;

const utf8Length = (text: string): number => Buffer.byteLength(text, "utf8");

/** Cuts at a code point boundary so the result is still valid UTF-8 within `maxBytes`. */
const truncateUtf8 = (text: string, maxBytes: number): string => {
  let out = "";
  for (const char of text) {
    if (utf8Length(out + char) > maxBytes) break;
    out += char;
  }
  return out;
};

export const sanitizeUploadFileName = (fileName: string): string => {
  const lastComponent =
    fileName
      .split(/[/\\]/)
      .filter((part) => part.length > 0)
      .at(-1) ?? "";
  const cleaned = lastComponent
    .normalize("NFC")
    .replace(DROPPED, "")
    .replace(NON_ASCII, (char) => (FOLDS_TO_PUNCTUATION.test(char.normalize("NFKC")) ? "_" : char))
    .replace(REPLACED, "_")
    .replace(/^[\s.]+/, "")
    .replace(/[\s.]+$/, "");
  if (cleaned.length === 0) return FALLBACK;
  if (utf8Length(cleaned) <= MAX_NAME_BYTES) return cleaned;

  const dot = cleaned.lastIndexOf(".");
  const extension = dot > 0 ? cleaned.slice(dot) : "";
  const keep = utf8Length(extension) <= MAX_EXTENSION_BYTES ? extension : "";
  const stem = truncateUtf8(
    cleaned.slice(0, cleaned.length - keep.length),
    MAX_NAME_BYTES - utf8Length(keep),
  );
  return `${stem.replace(/[\s.]+$/, "")}${keep}` || FALLBACK;
};
