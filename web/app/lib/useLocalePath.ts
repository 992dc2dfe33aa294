import { useParams } from "react-router";
import { DEFAULT_LOCALE, isLocale } from "../i18n/locales.ts";

/** Prefixes an app path with the current `/{locale}` (none for English, the default). */
export function useLocalePath() {
  const { locale } = useParams();
  const prefix = isLocale(locale) && locale !== DEFAULT_LOCALE ? `/${locale}` : "";
  return (path: string) => `${prefix}${path}`;
}
