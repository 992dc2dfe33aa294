// Files in and out: uploads streamed into storage, and signed, expiring downloads of job outputs served
// from the job storage with HTTP Range support (players seek; interrupted downloads resume).
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Hono } from "hono";
import { jobOfOutputKey } from "../../domain/job/jobFileKeys.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import { type HttpEnv, hasRole } from "../../infra/http/httpEnv.ts";
import {
  isStorageFailure,
  type ObjectRef,
  type StorageFailure,
  type StorageProvider,
} from "../../plugins/sdk/storageProvider.ts";
import { isMultipart, uploadMultipart } from "./multipartUpload.ts";
import { serveObject } from "./serveObject.ts";
import { type UploadStorage, uploadToStorage } from "./uploadToStorage.ts";

export interface UploadRoutesOptions {
  storage: UploadStorage;
  maxUploadBytes: number;
  /** Where a failing storage is reported; the client gets the WE-STO code and a hint. */
  log?: (message: string) => void;
}

/** Routes that need a bearer token (uploads). */
export function uploadRoutes(options: UploadRoutesOptions) {
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
    const signal = c.req.raw.signal;
    const limits = { maxBytes: options.maxUploadBytes, signal };
    // a raw body names its target in the query string, as a form does in its fields
    const [pluginId, bucket, objectKey] = ["plugin_id", "bucket", "object_key"].map((key) =>
      c.req.query(key),
    );
    const target = {
      fileName: name!,
      ...(pluginId === undefined ? {} : { pluginId }),
      ...(bucket === undefined ? {} : { bucket }),
      ...(objectKey === undefined ? {} : { objectKey }),
    };
    const result = multipart
      ? await uploadMultipart(body, contentType!, {
          storage: options.storage,
          ...limits,
          ...(name === undefined ? {} : { fileName: name }),
        })
      : await uploadToStorage(options.storage, target, Readable.fromWeb(body as WebReadableStream), {
          ...limits,
          ...(contentType === undefined ? {} : { contentType }),
        });
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

/** The job storage as the download route needs it. */
export interface DownloadStorage {
  /** Where outputs live. */
  readonly jobs: StorageProvider;
  /** The job storage when it is storage-fs, whose signed links this route serves; null for S3 (presigned). */
  readonly jobsFs: {
    verifySignedRequest(request: { method: "GET"; url: string }): ObjectRef | StorageFailure;
  } | null;
}

export interface DownloadRoutesOptions {
  storage: DownloadStorage;
  /** The job exists and is not deleted: a deleted job's links stop at once, before its files are swept. */
  jobIsLive(jobId: string): Promise<boolean>;
  log?: (message: string) => void;
}

/** The signed download route of storage-fs's links: no bearer token, the signature is the permission. */
export function downloadRoutes(options: DownloadRoutesOptions) {
  return new Hono<HttpEnv>().on(["GET", "HEAD"], "/v1/files/download", async (c) => {
    const signer = options.storage.jobsFs;
    // S3 job storage hands out presigned bucket links: this route signs nothing and grants nothing
    const granted = signer?.verifySignedRequest({ method: "GET", url: c.req.url });
    if (granted === undefined || isStorageFailure(granted)) {
      const expired = granted !== undefined && /expired/i.test(granted.message);
      if (expired) {
        throw new ApiError("WE-AUTH-002", "the download link has expired", {
          hint: "Ask GET /v1/jobs/{id}/outputs for a fresh link",
        });
      }
      throw new ApiError("WE-AUTH-001", "the download link's signature is not valid", {
        hint: "Use the link exactly as GET /v1/jobs/{id}/outputs gave it, or ask for a fresh one",
      });
    }
    const { key } = granted;
    // links are only ever signed for a job's outputs, and live as long as their job
    const jobId = jobOfOutputKey(key);
    if (jobId === null) throw new ApiError("WE-STO-001", "no such object");
    if (!(await options.jobIsLive(jobId))) {
      throw new ApiError("WE-JOB-004", `job ${jobId} was deleted, and its outputs with it`);
    }
    return serveObject(c, options.storage.jobs, key, { attachment: true, log: options.log });
  });
}
