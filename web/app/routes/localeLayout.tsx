import { type ClientLoaderFunctionArgs, data, Outlet } from "react-router";
import { switchLanguage } from "../i18n/i18n.ts";
import { DEFAULT_LOCALE, isLocale } from "../i18n/locales.ts";

// The language is loaded before the page renders, so no page ever flashes in the wrong one.
export async function clientLoader({ params }: ClientLoaderFunctionArgs) {
  const locale = params.locale ?? DEFAULT_LOCALE;
  if (!isLocale(locale)) throw data(null, { status: 404 });
  await switchLanguage(locale);
  return null;
}

export default function LocaleLayout() {
  return <Outlet />;
}

export { default as ErrorBoundary } from "./notFound.tsx";
