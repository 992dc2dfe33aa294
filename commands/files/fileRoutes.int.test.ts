// Uploads and downloads through a real HTTP server over real storage-fs folders: a failing disk answers
// its WE-STO code in the error envelope, a client that goes away mid-body leaves nothing behind, as a raw
// body or as a multipart form, and signed download links serve ranges until they expire, are tampered
// with, or their job is deleted.
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, realpath, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../infra/http/createApp.ts";
import {
  type AtomicFileSystem,
  createFsStorage,
  type FsStorage,
  PARTIAL_PREFIX,
} from "../../plugins/storage-fs/index.ts";
import { failingAtomicFileSystem } from "../../test/support/failingAtomicFileSystem.ts";
import { downloadRoutes, uploadRoutes } from "./fileRoutes.ts";

const MiB = 1024 * 1024;
let base: string;
let mediaRoot: string;
let server: ServerType;
let url: string;
const logged: string[] = [];
/** The media storage the upload route writes to; swapped for one over a failing disk by a test. */
let media: FsStorage;
let jobs: FsStorage;
const liveJobs = new Set<string>();

const mediaStorage = (files?: AtomicFileSystem) =>
  createFsStorage({ root: mediaRoot, signing_key: "m".repeat(32) }, files);

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "webencode-file-routes-")));
  mediaRoot = join(base, "media");
  await mkdir(mediaRoot);
  media = await mediaStorage();
  jobs = await createFsStorage({ root: join(base, "storage"), signing_key: "j".repeat(32) });
  const storage = {
    get fs() {
      return media;
    },
    get byId() {
      return new Map([["storage-fs", media]]);
    },
  };
  const app = createApp({
    // authentication is not what these tests are about: every request is an operator's
    authenticate: async (c, next) => {
      c.set("actor", { userId: "uploader", role: "operator" });
      await next();
    },
    publicRoutes: [
      downloadRoutes({
        storage: { jobs, jobsFs: jobs },
        jobIsLive: async (jobId) => liveJobs.has(jobId),
      }),
    ],
    routes: [uploadRoutes({ storage, maxUploadBytes: 64 * MiB, log: (message) => logged.push(message) })],
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
  media = await mediaStorage();
  await rm(join(mediaRoot, "uploads"), { recursive: true, force: true });
});

const uploads = () => readdir(join(mediaRoot, "uploads")).catch(() => [] as string[]);
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
  it("stores a raw body and a form into the media storage under uploads/, as fs:// sources", async () => {
    const raw = await fetch(`${url}/v1/files/upload?name=my clip.mp4`, { method: "POST", body: payload });
    expect(raw.status).toBe(201);
    const rawBody = (await raw.json()) as { url: string; size_bytes: number };
    expect(rawBody).toMatchObject({
      url: expect.stringMatching(/^fs:\/\/uploads\/[0-9a-f-]{36}-my%20clip\.mp4$/),
    });
    const form = await fetch(`${url}/v1/files/upload`, { method: "POST", body: multipart() });
    expect(form.status).toBe(201);
    expect(((await form.json()) as { size_bytes: number }).size_bytes).toBe(MiB);
    expect(await uploads()).toHaveLength(2);
  });

  it("answers a failing disk with its WE-STO code and a hint, then stores the next upload", async () => {
    media = await mediaStorage(failingAtomicFileSystem("sync", "ENOSPC"));
    const full = await fetch(`${url}/v1/files/upload?name=clip.mp4`, { method: "POST", body: payload });
    expect(full.status).toBe(507);
    expect(((await full.json()) as { error: unknown }).error).toMatchObject({
      code: "WE-STO-003",
      hint: expect.stringMatching(/free space/i),
    });
    media = await mediaStorage(failingAtomicFileSystem("write", "EIO"));
    const broken = await fetch(`${url}/v1/files/upload`, { method: "POST", body: multipart() });
    expect(broken.status).toBe(500);
    expect(((await broken.json()) as { error: unknown }).error).toMatchObject({
      code: "WE-STO-004",
      details: expect.stringMatching(/EIO/),
    });
    // out of file handles before the body was read: the answer still arrives (on a connection of its
    // own: the server may close a kept-alive connection whose request body it never read)
    media = await mediaStorage(failingAtomicFileSystem("create", "EMFILE"));
    const busy = await postOnce("/v1/files/upload?name=clip.mp4", payload);
    expect(busy.status).toBe(503);
    expect(JSON.parse(busy.body).error).toMatchObject({ code: "WE-STO-004" });
    expect(await uploads()).toEqual([]);
    expect(logged.join("\n")).toMatch(/EIO: injected fault, write/);

    media = await mediaStorage();
    const stored = await fetch(`${url}/v1/files/upload?name=clip.mp4`, { method: "POST", body: payload });
    expect(stored.status).toBe(201);
  });

  it("refuses an empty body and a name it cannot take, storing nothing", async () => {
    const empty = await fetch(`${url}/v1/files/upload?name=clip.mp4`, { method: "POST", body: "" });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe("WE-JOB-001");
    const unnamed = await fetch(`${url}/v1/files/upload`, { method: "POST", body: payload });
    expect(unnamed.status).toBe(400);
    expect(await uploads()).toEqual([]);
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
      await until("the partial file", async () =>
        (await uploads()).some((name) => name.startsWith(PARTIAL_PREFIX)),
      );
      client.destroy();
      await until("the partial file to go", async () => (await uploads()).length === 0);
      const next = await fetch(`${url}/v1/files/upload?name=clip.mp4`, { method: "POST", body: payload });
      expect(next.status).toBe(201);
    });
  }
});

describe("signed downloads over HTTP", () => {
  const jobId = randomUUID();
  const key = `outputs/${jobId}/${jobId}_final.mp4`;
  const movie = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 256));
  const linkFor = async (objectKey: string, expiresInSeconds = 60) => {
    const signed = await jobs.signedUrl({ ref: { key: objectKey }, method: "GET", expiresInSeconds });
    if (signed._tag !== "SignedUrl") throw new Error(signed.message);
    return new URL(signed.url, url).toString();
  };
  const codeOf = async (response: Response) =>
    ((await response.json()) as { error: { code: string } }).error.code;

  beforeAll(async () => {
    await mkdir(join(base, "storage", "outputs", jobId), { recursive: true });
    await writeFile(join(base, "storage", key), movie);
    liveJobs.add(jobId);
  });

  it("serves the whole output, a range of it (206), HEAD, and 416 past its end", async () => {
    const link = await linkFor(key);
    const whole = await fetch(link);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-disposition")).toBe(`attachment; filename="${jobId}_final.mp4"`);
    expect(whole.headers.get("content-type")).toBe("video/mp4");
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    expect(Buffer.from(await whole.arrayBuffer()).equals(movie)).toBe(true);

    const ranged = await fetch(link, { headers: { range: "bytes=100-199" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 100-199/${movie.length}`);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(movie.subarray(100, 200))).toBe(true);
    const suffix = await fetch(link, { headers: { range: "bytes=-10" } });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(movie.subarray(-10))).toBe(true);

    const head = await fetch(link, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(movie.length));
    const past = await fetch(link, { headers: { range: `bytes=${movie.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${movie.length}`);
  });

  it("refuses a tampered link, an expired one, a link to what is no output, and a missing output", async () => {
    const link = new URL(await linkFor(key));
    link.searchParams.set("key", `outputs/${randomUUID()}/x.mp4`);
    const tampered = await fetch(link);
    expect(tampered.status).toBe(401);
    expect(await codeOf(tampered)).toBe("WE-AUTH-001");

    const expiring = await linkFor(key, 1);
    await new Promise((r) => setTimeout(r, 2100));
    const expired = await fetch(expiring);
    expect(expired.status).toBe(401);
    expect(await codeOf(expired)).toBe("WE-AUTH-002");

    const notAnOutput = await fetch(await linkFor("uploads/a.mp4"));
    expect(notAnOutput.status).toBe(404);
    expect(await codeOf(notAnOutput)).toBe("WE-STO-001");
    const missing = await fetch(await linkFor(`outputs/${jobId}/gone.mp4`));
    expect(missing.status).toBe(404);
    expect(await codeOf(missing)).toBe("WE-STO-001");
  });

  it("stops a link at once when its job is deleted, though the file is still there", async () => {
    const link = await linkFor(key);
    liveJobs.delete(jobId);
    try {
      for (const method of ["GET", "HEAD"]) expect((await fetch(link, { method })).status).toBe(404);
      expect(await codeOf(await fetch(link))).toBe("WE-JOB-004");
    } finally {
      liveJobs.add(jobId);
    }
  });
});
