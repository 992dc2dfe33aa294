import { useTranslation } from "react-i18next";
import { ApiRequestError } from "../lib/apiFetch.ts";

/** The API's refusal as it said it: the WE code, what went wrong and its hint on what to do. */
export function ApiFailureAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const failure = error instanceof ApiRequestError ? error.failure : null;
  return (
    <div
      role="alert"
      data-testid="api-failure"
      data-code={failure?.code}
      className="rounded-md border border-destructive/40 bg-destructive/10 p-3 text-sm"
    >
      <p className="text-red-800 dark:text-red-300">
        <strong className="font-mono">{failure?.code ?? t("common.error")}</strong>
        {failure ? `: ${failure.details}` : ""}
      </p>
      {failure?.hint && <p className="mt-1 text-muted-foreground">{failure.hint}</p>}
    </div>
  );
}
