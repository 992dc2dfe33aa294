import { useTranslation } from "react-i18next";
import { useLocation, useNavigate, useParams } from "react-router";
import { DEFAULT_LOCALE, isLocale, LOCALES } from "../i18n/locales.ts";
import { NativeSelect } from "./ui/input.tsx";

const NAMES: Record<string, string> = {
  en: "English",
  de: "Deutsch",
  ja: "日本語",
  es: "Español",
  fr: "Français",
};

export function LanguageSelect() {
  const { t } = useTranslation();
  const { locale } = useParams();
  const current = isLocale(locale) ? locale : DEFAULT_LOCALE;
  const location = useLocation();
  const navigate = useNavigate();
  const change = (next: string) => {
    const rest = isLocale(locale) ? location.pathname.slice(locale.length + 1) : location.pathname;
    navigate(`${next === DEFAULT_LOCALE ? "" : `/${next}`}${rest}${location.search}`);
  };
  return (
    <NativeSelect
      aria-label={t("nav.language")}
      value={current}
      onChange={(event) => change(event.target.value)}
      className="h-8 text-xs"
    >
      {LOCALES.map((code) => (
        <option key={code} value={code}>
          {NAMES[code]}
        </option>
      ))}
    </NativeSelect>
  );
}
