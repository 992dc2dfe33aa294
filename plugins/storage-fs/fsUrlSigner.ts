// Signed links for storage-fs: the kernel serves the bytes, and the link carries its own permission as an
// HMAC over the method, the key, the expiry and the content type an uploader must send.
import { createHmac, timingSafeEqual } from "node:crypto";
import { type ObjectRef, type StorageFailure, storageFailure } from "../sdk/storageProvider.ts";

/** Where the kernel serves signed fs links. */
export const SIGNED_DOWNLOAD_PATH = "/v1/files/download";
export const SIGNED_UPLOAD_PATH = "/v1/files/signed-upload";

export interface SignedRequest {
  readonly method: "GET" | "PUT";
  /** The request's URL: absolute, or a path with its query. */
  readonly url: string;
  /** The Content-Type the request came with (PUT). */
  readonly contentType?: string;
}

export interface FsUrlSigner {
  sign(method: "GET" | "PUT", key: string, expiresAtSec: number, contentType?: string): string;
  /** The ref a signed link grants, or access_denied when it was tampered with or has expired. */
  verify(request: SignedRequest, nowMs: number): ObjectRef | StorageFailure;
}

const denied = (message: string, hint: string) => storageFailure("access_denied", message, hint);

export const createFsUrlSigner = (signingKey: string, publicUrl: string): FsUrlSigner => {
  const mac = (method: string, key: string, expires: string, contentType: string) =>
    createHmac("sha256", signingKey)
      .update(`${method}\n${key}\n${expires}\n${contentType}`)
      .digest("base64url");
  const base = publicUrl.replace(/\/+$/, "");

  return {
    sign(method, key, expiresAtSec, contentType) {
      const expires = String(expiresAtSec);
      const query = new URLSearchParams({ key, expires });
      if (contentType !== undefined) query.set("content_type", contentType);
      query.set("signature", mac(method, key, expires, contentType ?? ""));
      return `${base}${method === "GET" ? SIGNED_DOWNLOAD_PATH : SIGNED_UPLOAD_PATH}?${query}`;
    },
    verify(request, nowMs) {
      const query = new URL(request.url, "http://signed.invalid").searchParams;
      const key = query.get("key");
      const expires = query.get("expires");
      const signature = query.get("signature");
      const signedType = query.get("content_type");
      if (key === null || expires === null || signature === null) {
        return denied("The link is not signed.", "Ask for a new signed URL.");
      }
      const expected = Buffer.from(mac(request.method, key, expires, signedType ?? ""));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        return denied("The link's signature does not match.", "Use the signed URL exactly as it was issued.");
      }
      if (!/^\d+$/.test(expires) || Number(expires) * 1000 <= nowMs) {
        return denied("The link has expired.", "Ask for a new signed URL.");
      }
      if (signedType !== null && request.contentType !== signedType) {
        return denied(
          `The upload must be sent with Content-Type: ${signedType}.`,
          "Send the headers the signed URL came with.",
        );
      }
      return { key };
    },
  };
};
