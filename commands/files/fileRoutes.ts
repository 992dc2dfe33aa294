// Files in and out: streamed uploads into the media root, and signed, expiring downloads of outputs
// with HTTP Range support (players seek; interrupted downloads resume).
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { Hono } from "hono";
import { jobOfOutputKey } from "../../domain/job/jobFileKeys.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import { type HttpEnv, hasRole } from "../../infra/http/httpEnv.ts";
import type { SignedUrlSigner } from "../../infra/http/signedUrl.ts";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { isMultipart, uploadMultipart } from "./multipartUpload.ts";
import { streamUpload } from "./streamUploadToMediaRoot.ts";
import type { UploadFileSystem } from "./uploadFileSystem.ts";
import { uploadToPlugin } from "./uploadToPlugin.ts";

export interface FileRoutesOptions {
  mediaRoot: string;
  storageRoot: string;
  signer: SignedUrlSigner;
  maxUploadBytes: number;
  /** Where a failing disk is reported; the client gets the WE-STO code and a hint. */
  log?: (message: string) => void;
  /** Where uploads are written; the real file system unless a test needs a failing one. */
  files?: UploadFileSystem;
  /** The running storage plugins by id, for forms that name one in plugin_id. */
  storage?: ReadonlyMap<string, StorageProvider>;
}

function parseRange(header: string, size: number): { start: number; end: number } | "unsatisfiable" | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null; // ignore what we do not understand: whole file
  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

/** Routes that need a bearer token (uploads). */
export function uploadRoutes(options: FileRoutesOptions) {
  return new Hono<HttpEnv>().post("/v1/files/upload", async (c) => {
    if (!hasRole(c.var.actor, "operator"))
      throw new ApiError("WE-AUTH-003", "uploading needs the operator role");
    const name = c.req.query("name") ?? c.req.header("x-file-name");
    const contentType = c.req.header("content-type");
    const multipart = isMultipart(contentType);
    if (!name && !multipart) {
      throw new ApiError("WE-JOB-001", "name the file: ?name=<file name> or an X-File-Name header", {
        hint: "Or send a multipart form: curl -F file=@movie.mp4 …",
      });
    }
    const body = c.req.raw.body;
    if (!body) throw new ApiError("WE-JOB-001", "the upload body is empty");
    const declared = Number(c.req.header("content-length") ?? Number.NaN);
    if (declared > options.maxUploadBytes) {
      throw new ApiError(
        "WE-STO-003",
        `the file (${declared} bytes) is larger than the upload limit of ${options.maxUploadBytes} bytes`,
        {
          status: 413,
          hint: "Raise --max-upload-bytes or put the file in the media root and submit it as fs://…",
        },
      );
    }
    const upload = {
      mediaRoot: options.mediaRoot,
      maxBytes: options.maxUploadBytes,
      signal: c.req.raw.signal,
      ...(options.files ? { files: options.files } : {}),
    };
    const result = multipart
      ? await uploadMultipart(body, contentType!, {
          ...upload,
          fileName: name,
          toPlugin: (target, file, signal) =>
            uploadToPlugin(options.storage ?? new Map(), target, file, {
              maxBytes: options.maxUploadBytes,
              signal,
            }),
        })
      : await streamUpload(body, { ...upload, fileName: name! });
    if (result._tag === "FormRefused")
      throw new ApiError("WE-JOB-001", result.message, { hint: result.hint });
    if (result._tag === "UploadRefused") {
      if (result.cause !== undefined) {
        options.log?.(`upload ${c.var.requestId} refused by the storage: ${(result.cause as Error).message}`);
      }
      throw new ApiError(result.code, result.message, {
        hint: result.hint,
        ...(result.status === undefined ? {} : { status: result.status }),
      });
    }
    return c.json({ url: result.url, size_bytes: result.sizeBytes, sha256: result.sha256 }, 201);
  });
}

export interface DownloadRoutesOptions {
  storageRoot: string;
  signer: SignedUrlSigner;
  /** The job exists and is not deleted: a deleted job's links stop at once, before its files are swept. */
  jobIsLive(jobId: string): Promise<boolean>;
}

/** The signed download route: no bearer token, the signature is the permission. */
export function downloadRoutes(options: DownloadRoutesOptions) {
  return new Hono<HttpEnv>().on(["GET", "HEAD"], "/v1/files/download", async (c) => {
    const key = c.req.query("key") ?? "";
    const verdict = options.signer.verify(key, c.req.query("expires") ?? "", c.req.query("signature") ?? "");
    if (verdict === "invalid")
      throw new ApiError("WE-AUTH-001", "the download link's signature is not valid");
    if (verdict === "expired") {
      throw new ApiError("WE-AUTH-002", "the download link has expired", {
        hint: "Ask GET /v1/jobs/{id}/outputs for a fresh link",
      });
    }
    // links are only ever signed for a job's outputs, and live as long as their job
    const jobId = jobOfOutputKey(key);
    if (jobId === null) throw new ApiError("WE-STO-001", "no such object");
    if (!(await options.jobIsLive(jobId))) {
      throw new ApiError("WE-JOB-004", `job ${jobId} was deleted, and its outputs with it`);
    }
    const root = await realpath(options.storageRoot);
    const path = join(root, key);
    const rel = relative(root, path);
    if (rel === "" || rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) {
      throw new ApiError("WE-STO-001", "no such object");
    }
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw new ApiError("WE-STO-001", `no object ${key} in storage`);
    const size = info.size;
    const headers: Record<string, string> = {
      "Accept-Ranges": "bytes",
      "Content-Type": key.endsWith(".mp4") ? "video/mp4" : "application/octet-stream",
      "Content-Disposition": `attachment; filename="${key.split("/").pop()!.replace(/"/g, "")}"`,
      "Last-Modified": info.mtime.toUTCString(),
    };
    const rangeHeader = c.req.header("range");
    const range = rangeHeader ? parseRange(rangeHeader, size) : null;
    if (range === "unsatisfiable") {
      return c.body(null, 416, { ...headers, "Content-Range": `bytes */${size}` });
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const length = size === 0 ? 0 : end - start + 1;
    const status = range ? 206 : 200;
    const responseHeaders = {
      ...headers,
      "Content-Length": String(length),
      ...(range ? { "Content-Range": `bytes ${start}-${end}/${size}` } : {}),
    };
    if (c.req.method === "HEAD" || length === 0) return c.body(null, status, responseHeaders);
    const stream = Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream;
    return c.body(stream, status, responseHeaders);
  });
}
