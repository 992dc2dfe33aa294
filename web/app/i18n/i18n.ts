// One i18next instance for the app. English ships in the first bundle; the other languages are
// fetched the first time a `/{locale}/…` page asks for them.
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./locales/en.json";
import { DEFAULT_LOCALE, type Locale } from "./locales.ts";

const others = import.meta.glob<{ default: Record<string, unknown> }>("./locales/*.json");

void i18next.use(initReactI18next).init({
  lng: DEFAULT_LOCALE,
  fallbackLng: DEFAULT_LOCALE,
  resources: { en: { translation: en } },
  interpolation: { escapeValue: false },
});

export async function switchLanguage(locale: Locale): Promise<void> {
  if (!i18next.hasResourceBundle(locale, "translation")) {
    const load = others[`./locales/${locale}.json`];
    if (load) i18next.addResourceBundle(locale, "translation", (await load()).default);
  }
  await i18next.changeLanguage(locale);
  document.documentElement.lang = locale;
}

export { i18next };
