// Tests only: JSON calls to a running kernel with the test's headers, and polling until a condition
// holds, failing with what was last seen. Shared by the kernel-level integration tests.

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

export const kernelApi =
  (url: () => string, headers: () => Record<string, string>) =>
  async <T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> => {
    const response = await fetch(`${url()}${path}`, {
      method,
      headers: headers(),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  ms = 60_000,
): Promise<T> {
  for (const deadline = Date.now() + ms; ; ) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: never happened; last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
