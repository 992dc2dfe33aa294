// The text of one server-sent event (WHATWG HTML, "Server-sent events"). `id` alone, without data,
// moves the client's Last-Event-ID without dispatching anything.

export interface SseFields {
  event?: string;
  id?: string;
  /** Serialised as one line of JSON. */
  data?: unknown;
}

const oneLine = (name: string, value: string) => {
  if (/[\r\n]/.test(value)) throw new Error(`an SSE ${name} must be one line: ${JSON.stringify(value)}`);
  return value;
};

export function sseFrame({ event, id, data }: SseFields): string {
  let frame = "";
  if (event !== undefined) frame += `event: ${oneLine("event", event)}\n`;
  if (id !== undefined) frame += `id: ${oneLine("id", id)}\n`;
  // JSON.stringify escapes line breaks inside strings, so the data is a single line
  if (data !== undefined) frame += `data: ${JSON.stringify(data)}\n`;
  return `${frame}\n`;
}

/** A comment line: ignored by clients, it keeps proxies from closing an idle connection. */
export const sseComment = (text: string): string => `: ${oneLine("comment", text)}\n\n`;
