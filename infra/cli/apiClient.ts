// The CLI's HTTP client: --server / WEBENCODE_URL with WEBENCODE_TOKEN; API errors become messages
// that carry the WE code, the details and the hint.
export interface ApiClientOptions {
  server: string;
  token: string | undefined;
}

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiClient {
  readonly server: string;
  request<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  raw(path: string, init?: RequestInit): Promise<Response>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const server = options.server.replace(/\/+$/, "");
  const authorization: Record<string, string> = options.token
    ? { authorization: `Bearer ${options.token}` }
    : {};
  async function raw(path: string, init: RequestInit = {}) {
    try {
      return await fetch(`${server}${path}`, {
        ...init,
        headers: { ...authorization, ...(init.headers as Record<string, string>) },
      });
    } catch (error) {
      throw new Error(
        `cannot reach WebEncode at ${server}: ${(error as Error).cause ?? (error as Error).message}`,
      );
    }
  }
  return {
    server,
    raw,
    async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const response = await raw(path, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const parsed = text ? (JSON.parse(text) as unknown) : undefined;
      if (!response.ok) {
        const error = (parsed as { error?: { code: string; details: string; hint: string } } | undefined)
          ?.error;
        if (error)
          throw new ApiCallError(
            response.status,
            error.code,
            `${error.code}: ${error.details}\nhint: ${error.hint}`,
          );
        throw new ApiCallError(response.status, "HTTP", `HTTP ${response.status} from ${path}`);
      }
      return parsed as T;
    },
  };
}

export interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

/** Reads a text/event-stream response message by message. */
export async function* readSse(response: Response): AsyncGenerator<SseMessage> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let boundary = buffer.search(/\r?\n\r?\n/);
    while (boundary >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, "");
      const message: SseMessage = { event: "message", data: "" };
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") message.event = value;
        else if (field === "id") message.id = value;
        else if (field === "data") data.push(value);
      }
      message.data = data.join("\n");
      if (data.length > 0 || message.id !== undefined) yield message;
      boundary = buffer.search(/\r?\n\r?\n/);
    }
  }
}
