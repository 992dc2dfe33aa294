// Browser sessions against a real kernel: sign in with a token, use the API by cookie, CSRF on
// mutations, revocation and sign-out end the session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestKernel, type TestKernel } from "../../test/support/testKernel.ts";

let platform: TestKernel;
let url: string;

beforeAll(async () => {
  platform = await startTestKernel("session");
  url = platform.kernel.url;
});
afterAll(() => platform?.stop());

interface SignedIn {
  cookie: string;
  csrf: string;
  setCookies: string[];
  body: Record<string, unknown>;
}

async function signIn(token: string, headers: Record<string, string> = {}): Promise<SignedIn> {
  const response = await fetch(`${url}/v1/auth/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify({ token }),
  });
  expect(response.status).toBe(201);
  const setCookies = response.headers.getSetCookie();
  const value = (name: string) =>
    setCookies
      .find((c) => c.startsWith(`${name}=`))!
      .split(";")[0]!
      .slice(name.length + 1);
  return {
    cookie: `we_session=${value("we_session")}; we_csrf=${value("we_csrf")}`,
    csrf: decodeURIComponent(value("we_csrf")),
    setCookies,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const call = (path: string, cookie: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  fetch(`${url}${path}`, { ...init, headers: { Cookie: cookie, ...init.headers } });

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; details: string; hint: string } }).error;
}

describe("browser sessions", () => {
  it("trade a pasted token for an HttpOnly, SameSite=Strict session cookie and a readable CSRF cookie", async () => {
    const { token, userId } = await platform.tokenFor("operator");
    const session = await signIn(token);
    expect(session.body).toMatchObject({ user_id: userId, role: "operator" });
    const [sessionCookie, csrfCookie] = ["we_session=", "we_csrf="].map(
      (name) => session.setCookies.find((c) => c.startsWith(name))!,
    );
    expect(sessionCookie).toMatch(/; HttpOnly/);
    expect(sessionCookie).toMatch(/; SameSite=Strict/);
    expect(sessionCookie).toMatch(/; Path=\//);
    expect(sessionCookie).not.toMatch(/; Secure/);
    expect(csrfCookie).not.toMatch(/HttpOnly/);
    expect(csrfCookie).toMatch(/; SameSite=Strict/);
    // the token itself is in neither cookie
    expect(session.setCookies.join("\n")).not.toContain(token);
  });

  it("mark the cookies Secure under TLS", async () => {
    const { token } = await platform.tokenFor("viewer");
    const session = await signIn(token, { "X-Forwarded-Proto": "https" });
    for (const cookie of session.setCookies) expect(cookie).toMatch(/; Secure/);
  });

  it("are accepted by the API beside bearer tokens, and say who is signed in", async () => {
    const { token, userId } = await platform.tokenFor("viewer");
    const session = await signIn(token);
    const jobs = await call("/v1/jobs", session.cookie);
    expect(jobs.status).toBe(200);
    expect(await jobs.json()).toMatchObject({ jobs: [] });
    const me = await call("/v1/auth/session", session.cookie);
    expect(await me.json()).toMatchObject({ user_id: userId, role: "viewer" });
  });

  it("refuse a mutation without the CSRF header, or with another session's, with WE-AUTH-003 and a hint", async () => {
    const { token } = await platform.tokenFor("operator");
    const session = await signIn(token);
    const other = await signIn(token);
    const missing = await call("/v1/events/ticket", session.cookie, { method: "POST" });
    expect(missing.status).toBe(403);
    const error = await errorOf(missing);
    expect(error.code).toBe("WE-AUTH-003");
    expect(error.hint).toContain("X-CSRF-Token");
    const wrong = await call("/v1/events/ticket", session.cookie, {
      method: "POST",
      headers: { "X-CSRF-Token": other.csrf },
    });
    expect(wrong.status).toBe(403);
    expect((await errorOf(wrong)).code).toBe("WE-AUTH-003");
    const right = await call("/v1/events/ticket", session.cookie, {
      method: "POST",
      headers: { "X-CSRF-Token": session.csrf },
    });
    expect(right.status).toBe(200);
    expect(await right.json()).toHaveProperty("ticket");
  });

  it("carry the token's role: a viewer's session cannot submit a job", async () => {
    const { token } = await platform.tokenFor("viewer");
    const session = await signIn(token);
    const response = await call("/v1/jobs", session.cookie, {
      method: "POST",
      headers: { "X-CSRF-Token": session.csrf, "Content-Type": "application/json" },
      body: JSON.stringify({ source_url: "fs://clip.mp4", profile: "480p_fast" }),
    });
    expect(response.status).toBe(403);
  });

  it("end when the token they were opened with is revoked", async () => {
    const { token } = await platform.tokenFor("operator");
    const session = await signIn(token);
    expect((await call("/v1/jobs", session.cookie)).status).toBe(200);
    const me = (await (await call("/v1/auth/session", session.cookie)).json()) as { token_id: string };
    const revoked = await platform.kernel.tokens.revoke(me.token_id, { userId: "system", role: "system" });
    expect(revoked._tag).toBe("Revoked");
    const after = await call("/v1/jobs", session.cookie);
    expect(after.status).toBe(401);
    expect((await errorOf(after)).code).toBe("WE-AUTH-001");
  });

  it("end on sign-out: the cookies are cleared and the old cookie is refused", async () => {
    const { token } = await platform.tokenFor("operator");
    const session = await signIn(token);
    const out = await call("/v1/auth/session", session.cookie, { method: "DELETE" });
    expect(out.status).toBe(204);
    const cleared = out.headers.getSetCookie();
    expect(cleared.find((c) => c.startsWith("we_session="))).toMatch(/Max-Age=0/);
    expect(cleared.find((c) => c.startsWith("we_csrf="))).toMatch(/Max-Age=0/);
    expect((await call("/v1/jobs", session.cookie)).status).toBe(401);
    expect((await call("/v1/auth/session", session.cookie)).status).toBe(401);
  });

  it("are not opened by a wrong token, nor accepted when tampered with", async () => {
    const refused = await fetch(`${url}/v1/auth/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: "we_not-a-real-token-at-all-000000000000" }),
    });
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).code).toBe("WE-AUTH-001");
    const empty = await fetch(`${url}/v1/auth/session`, { method: "POST" });
    expect(empty.status).toBe(401);
    expect((await errorOf(empty)).hint).toContain("token");

    const { token } = await platform.tokenFor("viewer");
    const session = await signIn(token);
    const tampered = session.cookie.replace(/we_session=([^.]+)\./, (_, payload: string) => {
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
      return `we_session=${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1 })).toString("base64url")}.`;
    });
    expect((await call("/v1/jobs", tampered)).status).toBe(401);
  });

  it("leave bearer tokens working as before, with no CSRF header", async () => {
    const { token } = await platform.tokenFor("operator");
    const response = await fetch(`${url}/v1/events/ticket`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
  });
});
