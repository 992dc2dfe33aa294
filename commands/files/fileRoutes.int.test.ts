// Uploads through a real HTTP server: a failing disk answers its WE-STO code in the error envelope, and
// a client that goes away mid-body leaves nothing behind, as a raw body or as a multipart form.

import { mkdir, mkdtemp, readdir, realpath, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../infra/http/createApp.ts";
import { createSignedUrlSigner } from "../../infra/http/signedUrl.ts";
import { failingUploadFileSystem } from "../../test/support/failingUploadFileSystem.ts";
import { type FileRoutesOptions, uploadRoutes } from "./fileRoutes.ts";

const MiB = 1024 * 1024;
let base: string;
let server: ServerType;
let url: string;
const logged: string[] = [];
let options: FileRoutesOptions;

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "webencode-file-routes-")));
  options = {
    mediaRoot: join(base, "media"),
    storageRoot: join(base, "storage"),
    signer: createSignedUrlSigner("test"),
    maxUploadBytes: 64 * MiB,
    log: (message) => logged.push(message),
  };
  await mkdir(options.mediaRoot);
  const app = createApp({
    // authentication is not what these tests are about: every request is an operator's
    authenticate: async (c, next) => {
      c.set("actor", { userId: "uploader", role: "operator" });
      await next();
    },
    publicRoutes: [],
    routes: [uploadRoutes(options)],
    streamingPaths: ["/v1/files/upload"],
  });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(base, { recursive: true, force: true });
});
beforeEach(async () => {
  delete options.files;
  await rm(join(options.mediaRoot, "uploads"), { recursive: true, force: true });
});

const uploads = () => readdir(join(options.mediaRoot, "uploads")).catch(() => [] as string[]);
const until = async (what: string, condition: () => Promise<boolean>) => {
  for (let i = 0; i < 600; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`waited 30 s for ${what}`);
};
const payload = Buffer.alloc(MiB, 7);
const postOnce = (path: string, body: Buffer) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const client = request(`${url}${path}`, { method: "POST", agent: false }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    client.on("error", reject);
    client.end(body);
  });
const multipart = () => {
  const data = new FormData();
  data.append("file", new Blob([payload]), "clip.mp4");
  return data;
};

describe("uploads over HTTP", () => {
  it("answers a failing disk with its WE-STO code and a hint, then stores the next upload", async () => {
    options.files = failingUploadFileSystem("sync", "ENOSPC");
    const full = await fetch(`${url}/v1/files/upload?name=clip.mp4`, { method: "POST", body: payload });
    expect(full.status).toBe(507);
    expect(((await full.json()) as { error: unknown }).error).toMatchObject({
      code: "WE-STO-003",
      hint: expect.stringMatching(/free space/i),
    });
    options.files = failingUploadFileSystem("write", "EIO");
    const broken = await fetch(`${url}/v1/files/upload`, { method: "POST", body: multipart() });
    expect(broken.status).toBe(500);
    expect(((await broken.json()) as { error: unknown }).error).toMatchObject({
      code: "WE-STO-004",
      details: expect.stringMatching(/EIO at write/),
    });
    // out of file handles before the body was read: the answer still arrives (on a connection of its
    // own: the server may close a kept-alive connection whose request body it never read)
    options.files = failingUploadFileSystem("create", "EMFILE");
    const busy = await postOnce("/v1/files/upload?name=clip.mp4", payload);
    expect(busy.status).toBe(503);
    expect(JSON.parse(busy.body).error).toMatchObject({ code: "WE-STO-004" });
    expect(await uploads()).toEqual([]);
    expect(logged.join("\n")).toMatch(/EIO: injected fault, write/);

    delete options.files;
    const stored = await fetch(`${url}/v1/files/upload?name=clip.mp4`, { method: "POST", body: payload });
    expect(stored.status).toBe(201);
  });

  for (const kind of ["raw body", "multipart form"] as const) {
    it(`leaves nothing behind when the client disconnects in the middle of a ${kind}`, async () => {
      const boundary = "----webencode-disconnect";
      const client = request(`${url}/v1/files/upload?name=clip.mp4`, {
        method: "POST",
        headers: {
          "content-length": String(32 * MiB),
          "content-type":
            kind === "raw body" ? "application/octet-stream" : `multipart/form-data; boundary=${boundary}`,
        },
      });
      client.on("error", () => {});
      if (kind === "multipart form") {
        client.write(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\n\r\n`,
        );
      }
      client.write(payload);
      await until("the partial file", async () => (await uploads()).some((name) => name.endsWith(".part")));
      client.destroy();
      await until("the partial file to go", async () => (await uploads()).length === 0);
      const next = await fetch(`${url}/v1/files/upload?name=clip.mp4`, { method: "POST", body: payload });
      expect(next.status).toBe(201);
    });
  }
});
