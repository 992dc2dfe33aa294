// Streams a body into one object in bounded memory: each part is copied into a buffer of the part size
// and sent while the next one fills, with at most `queueSize` parts in flight; the body is not read while
// they are all out, so a fast client and a slow store hold back the client, not pile chunks up here.
// A body smaller than a part is one PutObject. A failed or aborted upload is aborted at the store, so no
// part lingers.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { PartBuffers } from "./partBuffers.ts";

export interface MultipartPutOptions {
  readonly partSize: number;
  readonly queueSize: number;
  readonly buffers: PartBuffers;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

export type MultipartPutResult =
  | { readonly _tag: "Put"; readonly etag: string; readonly sizeBytes: number; readonly sha256: string }
  /** The body failed or the caller aborted: the caller's side. */
  | { readonly _tag: "BodyFailed"; readonly error: unknown }
  /** The store refused or failed a request. */
  | { readonly _tag: "StoreFailed"; readonly error: unknown };

export async function multipartPut(
  client: S3Client,
  target: { readonly Bucket: string; readonly Key: string },
  body: Readable,
  options: MultipartPutOptions,
): Promise<MultipartPutResult> {
  const { partSize, queueSize, buffers, signal } = options;
  const sendOptions = signal === undefined ? {} : { abortSignal: signal };
  const contentType = options.contentType === undefined ? {} : { ContentType: options.contentType };
  const hash = createHash("sha256");
  let sizeBytes = 0;
  let uploadId: string | undefined;
  const completed: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let storeError: { error: unknown } | undefined;
  let part: Buffer | null = null;
  let filled = 0;
  let partCount = 0;

  const onAbort = () => body.destroy(signal?.reason ?? new Error("the upload was aborted"));
  signal?.addEventListener("abort", onAbort, { once: true });

  const send = async (buffer: Buffer, length: number) => {
    if (uploadId === undefined) {
      const created = await client.send(
        new CreateMultipartUploadCommand({ ...target, ...contentType }),
        sendOptions,
      );
      uploadId = created.UploadId;
    }
    // the body waits while every slot is taken: that is the backpressure
    while (inFlight.size >= queueSize) await Promise.race(inFlight);
    if (storeError !== undefined) throw storeError;
    partCount += 1;
    const partNumber = partCount;
    const sending: Promise<void> = client
      .send(
        new UploadPartCommand({
          ...target,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: buffer.subarray(0, length),
          ContentLength: length,
        }),
        sendOptions,
      )
      .then(
        (sent) => {
          completed.push({ PartNumber: partNumber, ETag: sent.ETag ?? "" });
        },
        (error: unknown) => {
          storeError ??= { error };
        },
      )
      .finally(() => {
        inFlight.delete(sending);
        buffers.give(buffer);
      });
    inFlight.add(sending);
  };

  const settle = async () => {
    while (inFlight.size > 0) await Promise.race(inFlight);
  };

  let stage: "body" | "store" = "body";
  try {
    for await (const read of body as AsyncIterable<Buffer | Uint8Array | string>) {
      // a body made with Readable.from of strings or typed arrays is as good as one of Buffers
      const chunk =
        typeof read === "string"
          ? Buffer.from(read)
          : Buffer.isBuffer(read)
            ? read
            : Buffer.from(read.buffer, read.byteOffset, read.byteLength);
      hash.update(chunk);
      sizeBytes += chunk.length;
      let offset = 0;
      while (offset < chunk.length) {
        part ??= buffers.take();
        const copied = chunk.copy(part, filled, offset);
        filled += copied;
        offset += copied;
        if (filled === partSize) {
          const full = part;
          part = null;
          filled = 0;
          stage = "store";
          await send(full, partSize);
          stage = "body";
        }
      }
    }
    stage = "store";
    if (uploadId === undefined) {
      // the whole body fits in one part: one request, no multipart upload to complete or abort
      const whole = part === null ? Buffer.alloc(0) : part.subarray(0, filled);
      const put = await client.send(
        new PutObjectCommand({ ...target, ...contentType, Body: whole, ContentLength: filled }),
        sendOptions,
      );
      return { _tag: "Put", etag: put.ETag ?? "", sizeBytes, sha256: hash.digest("hex") };
    }
    if (part !== null) {
      const last = part;
      part = null;
      await send(last, filled);
    }
    await settle();
    if (storeError !== undefined) throw storeError;
    completed.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        ...target,
        UploadId: uploadId,
        MultipartUpload: { Parts: completed },
      }),
      sendOptions,
    );
    return { _tag: "Put", etag: done.ETag ?? "", sizeBytes, sha256: hash.digest("hex") };
  } catch (thrown) {
    const failed = storeError;
    const error = failed !== undefined && thrown === failed ? failed.error : thrown;
    body.destroy();
    await settle();
    if (uploadId !== undefined) {
      // without a signal: the abort must reach the store even when the caller's signal ended the upload
      await client
        .send(new AbortMultipartUploadCommand({ ...target, UploadId: uploadId }))
        .catch(() => undefined);
    }
    const byCaller = stage === "body" || signal?.aborted === true;
    return byCaller ? { _tag: "BodyFailed", error } : { _tag: "StoreFailed", error };
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (part !== null) buffers.give(part);
  }
}
