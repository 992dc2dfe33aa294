// What players show for an audio or subtitle track: its title when the source gave one, else its language
// named in that language ("English", "Français", "日本語"), else its place ("Audio 2").

export function trackLabel(
  track: { readonly language: string | null; readonly title: string | null },
  fallback: string,
): string {
  if (track.title !== null && track.title.trim() !== "") return track.title.trim();
  const language = track.language;
  if (language === null || language === "und") return fallback;
  try {
    const name = new Intl.DisplayNames([language], { type: "language" }).of(language);
    if (name === undefined || name.toLowerCase() === language.toLowerCase()) return language;
    return name.charAt(0).toLocaleUpperCase(language) + name.slice(1);
  } catch {
    // not a language tag Intl knows: show it as the source wrote it
    return language;
  }
}
