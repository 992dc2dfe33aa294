// The files API through a real kernel with storage-fs over its media root and storage-s3 on a real S3
// protocol server: capabilities, roots, browse with its filters, signed upload URLs that really take a
// PUT (the kernel's signed route for fs, a presigned URL for S3), and WE-STO failures with hints.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  browseResponseSchema,
  storageCapabilitiesResponseSchema,
  storageRootsResponseSchema,
  uploadUrlResponseSchema,
} from "../../schemas/api/fileRequests.ts";
import { type S3rverProcess, s3PluginsToml, startS3rver } from "../../test/support/s3rverProcess.ts";
import { startTestKernel, type TestKernel } from "../../test/support/testKernel.ts";

let s3: S3rverProcess;
let platform: TestKernel;
let operator: string;
let viewer: string;

beforeAll(async () => {
  s3 = await startS3rver("webencode-files");
  platform = await startTestKernel(
    "files_api",
    { WEBENCODE_MAX_UPLOAD_BYTES: String(1024 * 1024) },
    s3PluginsToml(s3),
  );
  operator = (await platform.tokenFor("operator")).token;
  viewer = (await platform.tokenFor("viewer")).token;
}, 60_000);
afterAll(async () => {
  await platform?.stop();
  await s3?.stop();
});

const call = (path: string, token = operator, init: RequestInit = {}) =>
  fetch(`${platform.kernel.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
  });
const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string; hint?: string } }).error;
const uploadUrl = async (request: object) => {
  const response = await call("/v1/files/upload-url", operator, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  expect(response.status).toBe(201);
  return uploadUrlResponseSchema.parse(await response.json());
};

describe("files API", () => {
  it("lists each running storage plugin with what it can do, to a viewer", async () => {
    const response = await call("/v1/files/capabilities", viewer);
    expect(response.status).toBe(200);
    const body = storageCapabilitiesResponseSchema.parse(await response.json());
    expect(body).toEqual([
      expect.objectContaining({ plugin_id: "storage-fs", storage_type: "fs", supports_browse: true }),
      expect.objectContaining({
        plugin_id: "storage-s3",
        storage_type: "s3",
        supports_browse: true,
        supports_signed_upload_urls: true,
      }),
    ]);
  });

  it("gives the root of the media folder and the configured bucket", async () => {
    const body = storageRootsResponseSchema.parse(await (await call("/v1/files/roots")).json());
    expect(body).toEqual([
      expect.objectContaining({ plugin_id: "storage-fs", path: "", storage_type: "fs", bucket: null }),
      { plugin_id: "storage-s3", name: s3.bucket, path: "", storage_type: "s3", bucket: s3.bucket },
    ]);
  });

  it("browses the media folder with media_only, show_hidden and search", async () => {
    const folder = join(platform.mediaDir, "browse");
    await mkdir(join(folder, "talks"), { recursive: true });
    for (const name of ["intro.mp4", "notes.txt", ".draft.mp4", "outro.MKV"])
      await writeFile(join(folder, name), name);
    const names = async (query: string) => {
      const response = await call(`/v1/files/browse?path=browse${query}`);
      expect(response.status).toBe(200);
      const body = browseResponseSchema.parse(await response.json());
      expect(body).toMatchObject({ plugin_id: "storage-fs", current_path: "browse", parent_path: "" });
      return body.entries.map((e) => `${e.name}${e.is_directory ? "/" : e.is_video ? "*" : ""}`);
    };
    expect(await names("")).toEqual(["talks/", "intro.mp4*", "notes.txt", "outro.MKV*"]);
    expect(await names("&media_only=true")).toEqual(["talks/", "intro.mp4*", "outro.MKV*"]);
    expect(await names("&show_hidden=true")).toEqual([
      "talks/",
      ".draft.mp4*",
      "intro.mp4*",
      "notes.txt",
      "outro.MKV*",
    ]);
    expect(await names("&search=OUT")).toEqual(["outro.MKV*"]);
  });

  it("refuses a path out of the root, an unknown plugin and a viewer, each with a hint", async () => {
    const outside = await call("/v1/files/browse?path=../..");
    expect(outside.status).toBe(400);
    expect(await errorOf(outside)).toMatchObject({ code: "WE-STO-005", hint: expect.any(String) });
    const missing = await call("/v1/files/browse?path=no/such/folder");
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ code: "WE-STO-001", hint: expect.any(String) });
    const unknown = await call("/v1/files/browse?plugin=storage-ftp");
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({
      code: "WE-PLG-001",
      hint: expect.stringContaining("storage-fs, storage-s3"),
    });
    const asViewer = await call("/v1/files/browse", viewer);
    expect(asViewer.status).toBe(403);
  });

  it("signs a kernel upload URL for storage-fs that takes the file once, and refuses it tampered", async () => {
    const signed = await uploadUrl({ object_key: "direct/clip one.mp4", content_type: "video/mp4" });
    expect(signed).toMatchObject({
      plugin_id: "storage-fs",
      method: "PUT",
      headers: { "content-type": "video/mp4" },
      source_url: "fs://direct/clip%20one.mp4",
    });
    expect(signed.upload_url).toMatch(/^\/v1\/files\/signed-upload\?/);
    const put = (url: string) =>
      fetch(`${platform.kernel.url}${url}`, { method: "PUT", headers: signed.headers, body: "movie bytes" });
    const tampered = await put(signed.upload_url.replace("direct%2F", "other%2F"));
    expect(tampered.status).toBe(403);
    expect(await errorOf(tampered)).toMatchObject({ code: "WE-STO-002", hint: expect.any(String) });
    const stored = await put(signed.upload_url);
    expect(stored.status).toBe(201);
    expect(await stored.json()).toMatchObject({ url: "fs://direct/clip%20one.mp4", size_bytes: 11 });
    expect(await readFile(join(platform.mediaDir, "direct", "clip one.mp4"), "utf8")).toBe("movie bytes");
  });

  it("presigns an S3 upload URL that the bucket takes, and browses the bucket after", async () => {
    const signed = await uploadUrl({ plugin_id: "storage-s3", object_key: "incoming/talk.mp4" });
    expect(signed.source_url).toBe(`s3://${s3.bucket}/incoming/talk.mp4`);
    expect(signed.upload_url.startsWith(s3.endpoint)).toBe(true);
    const put = await fetch(signed.upload_url, { method: "PUT", headers: signed.headers, body: "s3 bytes" });
    expect(put.status).toBe(200);
    const listing = browseResponseSchema.parse(
      await (await call(`/v1/files/browse?plugin=storage-s3&path=incoming`)).json(),
    );
    expect(listing.entries).toEqual([
      expect.objectContaining({ name: "talk.mp4", size: 8, is_video: true, is_directory: false }),
    ]);
  });

  it("streams a form's file to the plugin, bucket and key it names, and refuses an unknown plugin", async () => {
    const form = (pluginId: string) => {
      const data = new FormData();
      data.append("plugin_id", pluginId);
      data.append("bucket", s3.bucket);
      data.append("object_key", "forms/lecture.mp4");
      data.append("file", new Blob(["form bytes!"]), "lecture.mp4");
      return call("/v1/files/upload", operator, { method: "POST", body: data });
    };
    const stored = await form("storage-s3");
    expect(stored.status).toBe(201);
    expect(await stored.json()).toMatchObject({ url: `s3://${s3.bucket}/forms/lecture.mp4`, size_bytes: 11 });
    const listing = browseResponseSchema.parse(
      await (await call("/v1/files/browse?plugin=storage-s3&path=forms")).json(),
    );
    expect(listing.entries.map((e) => [e.name, e.size])).toEqual([["lecture.mp4", 11]]);
    const unknown = await form("storage-ftp");
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({
      code: "WE-PLG-001",
      hint: expect.stringContaining("storage-fs, storage-s3"),
    });
  });

  it("streams a raw body to the plugin, bucket and key its query string names", async () => {
    const query = new URLSearchParams({
      name: "talk.mp4",
      plugin_id: "storage-s3",
      bucket: s3.bucket,
      object_key: "raw/talk one.mp4",
    });
    const stored = await call(`/v1/files/upload?${query}`, operator, { method: "POST", body: "raw bytes!" });
    expect(stored.status).toBe(201);
    expect(await stored.json()).toMatchObject({
      url: `s3://${s3.bucket}/raw/talk%20one.mp4`,
      size_bytes: 10,
    });
    const listing = browseResponseSchema.parse(
      await (await call("/v1/files/browse?plugin=storage-s3&path=raw")).json(),
    );
    expect(listing.entries.map((e) => [e.name, e.size])).toEqual([["talk one.mp4", 10]]);
  });

  it("refuses a signed PUT and a form to S3 over the upload limit, leaving nothing behind", async () => {
    const tooBig = new Uint8Array(2 * 1024 * 1024);
    const signed = await uploadUrl({ object_key: "big/too-big.mp4" });
    const put = await fetch(`${platform.kernel.url}${signed.upload_url}`, { method: "PUT", body: tooBig });
    expect(put.status).toBe(413);
    expect(await errorOf(put)).toMatchObject({ code: "WE-STO-003", hint: expect.any(String) });
    const data = new FormData();
    data.append("plugin_id", "storage-s3");
    data.append("object_key", "big/too-big.mp4");
    data.append("file", new Blob([tooBig]), "too-big.mp4");
    // chunked, with no Content-Length to refuse it by: the limit stops the bytes as they stream to S3
    const encoded = new Request("http://form.invalid", { method: "POST", body: data });
    const form = await call("/v1/files/upload", operator, {
      method: "POST",
      headers: { "content-type": encoded.headers.get("content-type")! },
      body: encoded.body,
      duplex: "half",
    } as RequestInit);
    expect(form.status).toBe(413);
    expect(await errorOf(form)).toMatchObject({ code: "WE-STO-003" });
    for (const plugin of ["storage-fs", "storage-s3"]) {
      const listing = await call(`/v1/files/browse?plugin=${plugin}&path=big`);
      const entries = listing.status === 200 ? browseResponseSchema.parse(await listing.json()).entries : [];
      expect({ plugin, entries }).toEqual({ plugin, entries: [] });
    }
  });

  it("documents every files route in the OpenAPI document", async () => {
    const document = (await (await fetch(`${platform.kernel.url}/openapi.json`)).json()) as {
      paths: Record<string, object>;
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        "/v1/files/capabilities",
        "/v1/files/roots",
        "/v1/files/browse",
        "/v1/files/upload-url",
        "/v1/files/signed-upload",
      ]),
    );
  });
});
