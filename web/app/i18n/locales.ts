export const LOCALES = ["en", "de", "ja", "es", "fr"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

export const isLocale = (value: string | undefined): value is Locale => LOCALES.includes(value as Locale);
