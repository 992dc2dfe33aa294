// The dashboard's global error tracker: uncaught errors, unhandled rejections and resources that failed
// to load (seen in the capture phase, as their errors do not bubble) are posted to /v1/errors. The same
// error is sent once a minute at most, and at most ten a minute in all, so a page in a loop stays quiet;
// a report that fails is dropped, never reported again.
import type { ReportErrorRequest } from "../../../schemas/api/errorReportRequests.ts";
import { apiHeaders } from "./apiFetch.ts";

const WINDOW_MS = 60_000;
const MAX_PER_WINDOW = 10;
const MAX_MESSAGE = 2000;
const MAX_STACK = 12_000;

type Report = Pick<ReportErrorRequest, "message" | "severity"> & {
  stack?: string;
  context: Record<string, string | number>;
};

const describe = (reason: unknown): { message: string; stack?: string } => {
  if (reason instanceof Error) return { message: `${reason.name}: ${reason.message}`, stack: reason.stack };
  try {
    return { message: typeof reason === "string" ? reason : JSON.stringify(reason) };
  } catch {
    return { message: String(reason) };
  }
};

/** Starts tracking; returns what stops it. */
export function installErrorTracker(): () => void {
  const sentAt = new Map<string, number>();
  let windowStart = 0;
  let inWindow = 0;

  const send = ({ message, severity, stack, context }: Report) => {
    const now = Date.now();
    if (now - windowStart > WINDOW_MS) {
      windowStart = now;
      inWindow = 0;
    }
    const last = sentAt.get(message);
    if ((last !== undefined && now - last < WINDOW_MS) || inWindow >= MAX_PER_WINDOW) return;
    sentAt.set(message, now);
    inWindow++;
    const body: ReportErrorRequest = {
      source_component: "frontend",
      severity,
      message: message.slice(0, MAX_MESSAGE) || "(no message)",
      ...(stack ? { stack_trace: stack.slice(0, MAX_STACK) } : {}),
      context_data: {
        ...context,
        url: `${location.pathname}${location.search}`,
        user_agent: navigator.userAgent,
      },
    };
    // keepalive: a report made as the page unloads still arrives
    void fetch("/v1/errors", {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: apiHeaders("POST", { "Content-Type": "application/json" }),
      body: JSON.stringify(body),
    }).catch(() => {});
  };

  const onError = (event: Event) => {
    const target = event.target;
    if (target instanceof HTMLElement && target !== (document.documentElement as HTMLElement)) {
      const element = target as HTMLElement & { src?: string; href?: string; currentSrc?: string };
      const url = element.currentSrc || element.src || element.href || "";
      send({
        severity: "warning",
        message: `Failed to load ${element.tagName.toLowerCase()} ${url}`.trim(),
        context: { kind: "resource", resource: url },
      });
      return;
    }
    if (!(event instanceof ErrorEvent)) return;
    const { message, stack } = event.error ? describe(event.error) : { message: event.message };
    send({
      severity: "error",
      message: message || event.message,
      stack,
      context: { kind: "error", source: event.filename, line: event.lineno, column: event.colno },
    });
  };
  const onRejection = (event: PromiseRejectionEvent) => {
    const { message, stack } = describe(event.reason);
    send({ severity: "error", message, stack, context: { kind: "unhandledrejection" } });
  };

  window.addEventListener("error", onError, true);
  window.addEventListener("unhandledrejection", onRejection);
  return () => {
    window.removeEventListener("error", onError, true);
    window.removeEventListener("unhandledrejection", onRejection);
  };
}
