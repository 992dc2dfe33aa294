import { type ClientLoaderFunctionArgs, redirect } from "react-router";
import { DEFAULT_LOCALE } from "../i18n/locales.ts";

export function clientLoader({ params }: ClientLoaderFunctionArgs) {
  const prefix = params.locale && params.locale !== DEFAULT_LOCALE ? `/${params.locale}` : "";
  return redirect(`${prefix}/dashboard`);
}

export default function Home() {
  return null;
}
