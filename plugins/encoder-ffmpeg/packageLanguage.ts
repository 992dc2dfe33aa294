// Language tags as HLS (RFC 8216: RFC 5646) and DASH want them. Sources and ffprobe speak ISO 639-2
// ("eng", "fre"), which BCP 47 spells with the two-letter ISO 639-1 code where one exists ("en", "fr");
// players match the user's languages against that form.

const TWO_LETTER: ReadonlyMap<string, string> = new Map(
  (
    "eng:en fra:fr fre:fr deu:de ger:de spa:es ita:it por:pt nld:nl dut:nl rus:ru jpn:ja zho:zh chi:zh " +
    "kor:ko ara:ar hin:hi ben:bn pan:pa tur:tr pol:pl ukr:uk ces:cs cze:cs slk:sk slo:sk hun:hu ron:ro " +
    "rum:ro bul:bg hrv:hr srp:sr slv:sl ell:el gre:el heb:he fas:fa per:fa urd:ur tha:th vie:vi ind:id " +
    "msa:ms may:ms tgl:tl swe:sv nor:no nob:nb nno:nn dan:da fin:fi isl:is ice:is est:et lav:lv lit:lt " +
    "cat:ca eus:eu baq:eu glg:gl gle:ga cym:cy wel:cy tam:ta tel:te mar:mr guj:gu kan:kn mal:ml swa:sw " +
    "afr:af amh:am sqi:sq alb:sq hye:hy arm:hy aze:az bel:be bos:bs kat:ka geo:ka kaz:kk khm:km lao:lo " +
    "mkd:mk mac:mk mon:mn mya:my bur:my nep:ne sin:si som:so uzb:uz yor:yo zul:zu xho:xh hau:ha ibo:ig " +
    "lat:la epo:eo ltz:lb mlt:mt"
  )
    .split(" ")
    .map((pair) => pair.split(":") as [string, string]),
);

/** "eng" → "en", "fre-CA" → "fr-CA", "yue" stays; null for none or "und" (undetermined). */
export function packageLanguage(tag: string | null): string | null {
  if (tag === null) return null;
  const [primary = "", ...rest] = tag.trim().split(/[-_]/);
  const lower = primary.toLowerCase();
  if (lower === "" || lower === "und") return null;
  return [TWO_LETTER.get(lower) ?? lower, ...rest].join("-");
}
