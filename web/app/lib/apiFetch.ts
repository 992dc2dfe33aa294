// Every call to the API goes through here: the session cookie rides along on its own, and mutations
// carry the double-submit CSRF header the API asks of cookie sessions.
export const CSRF_COOKIE = "we_csrf";

export interface ApiFailure {
  status: number;
  code: string;
  details: string;
  hint: string;
}

export class ApiRequestError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(`${failure.code}: ${failure.details}`);
  }
}

function csrfToken(): string | undefined {
  const match = document.cookie.split("; ").find((part) => part.startsWith(`${CSRF_COOKIE}=`));
  return match ? decodeURIComponent(match.slice(CSRF_COOKIE.length + 1)) : undefined;
}

export function apiHeaders(method: string, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { Accept: "application/json", ...extra };
  const csrf = csrfToken();
  if (method !== "GET" && method !== "HEAD" && csrf) headers["X-CSRF-Token"] = csrf;
  return headers;
}

export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? "GET";
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: apiHeaders(method, init.body === undefined ? {} : { "Content-Type": "application/json" }),
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => ({}))) as {
    error?: { code: string; details: string; hint: string };
  };
  if (!response.ok) {
    throw new ApiRequestError({
      status: response.status,
      code: body.error?.code ?? `HTTP-${response.status}`,
      details: body.error?.details ?? response.statusText,
      hint: body.error?.hint ?? "",
    });
  }
  return body as T;
}
