// Runs s3rver in its own process and prints {"port": N} once it listens. In front of it sits a check of
// AWS Signature V4 (s3rver checks only V2): a request whose signature does not match is refused with 403
// as S3 refuses it. Each request's method and sub-resource are written to stderr-free stdout as JSON lines
// ({"request": "POST ?uploads"}) so tests can see multipart uploads happen.
// s3rver makes its list continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider:
// start this file with --openssl-legacy-provider (s3rverProcess.ts does).
import { createHash, createHmac } from "node:crypto";
import { createServer } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import S3rver from "s3rver";

const [directory, bucket] = process.argv.slice(2);
const SECRETS = { S3RVER: "S3RVER" };

class Sha256 {
  constructor(secret) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", secret);
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const amzDate = (value) =>
  new Date(
    `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`,
  );

/** The signature the request carries, and the one its own credentials give; undefined when unsigned. */
const signatures = async (request, url) => {
  const query = Object.fromEntries(url.searchParams);
  const header = request.headers.authorization;
  const presigned = "X-Amz-Signature" in query;
  if (!presigned && header === undefined) return undefined;
  const parts = presigned
    ? {
        Credential: query["X-Amz-Credential"],
        SignedHeaders: query["X-Amz-SignedHeaders"],
        Signature: query["X-Amz-Signature"],
      }
    : Object.fromEntries(
        header
          .replace(/^AWS4-HMAC-SHA256 /, "")
          .split(/,\s*/)
          .map((part) => part.split("=")),
      );
  const [accessKeyId, , region, service] = parts.Credential.split("/");
  const secretAccessKey = SECRETS[accessKeyId] ?? "";
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region,
    service,
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const headers = {};
  for (const name of parts.SignedHeaders.split(";")) headers[name] = String(request.headers[name] ?? "");
  const httpRequest = {
    method: request.method,
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers,
    query: {},
  };
  if (presigned) {
    for (const [name, value] of Object.entries(query)) {
      if (!name.startsWith("X-Amz-") || name === "X-Amz-Content-Sha256") httpRequest.query[name] = value;
    }
    // the payload hash is read from a header; the client sent it in the query, where it stays
    httpRequest.headers["x-amz-content-sha256"] = query["X-Amz-Content-Sha256"] ?? "UNSIGNED-PAYLOAD";
    const signed = await signer.presign(httpRequest, {
      signingDate: amzDate(query["X-Amz-Date"]),
      expiresIn: Number(query["X-Amz-Expires"]),
      unsignableHeaders: new Set(["x-amz-content-sha256"]),
      unhoistableHeaders: new Set(Object.keys(headers).filter((name) => name !== "host")),
    });
    return { given: parts.Signature, expected: signed.query["X-Amz-Signature"] };
  }
  httpRequest.query = Object.fromEntries(url.searchParams);
  const signed = await signer.sign(httpRequest, {
    signingDate: amzDate(String(request.headers["x-amz-date"])),
  });
  const expected = /Signature=([0-9a-f]+)/.exec(signed.headers.authorization)?.[1];
  return { given: parts.Signature, expected };
};

const s3rver = new S3rver({
  silent: true,
  directory,
  configureBuckets: [{ name: bucket, configs: [] }],
});
await s3rver.configureBuckets();
const handle = s3rver.getMiddleware();

const server = createServer((request, response) => {
  const url = new URL(request.url, `http://${request.headers.host}`);
  const subresources = [...url.searchParams.keys()].filter((name) =>
    ["uploads", "partNumber", "uploadId"].includes(name),
  );
  process.stdout.write(`${JSON.stringify({ request: `${request.method} ?${subresources.join("&")}` })}\n`);
  signatures(request, url).then(
    (signature) => {
      if (signature !== undefined && signature.given !== signature.expected) {
        request.resume();
        response.writeHead(403, { "content-type": "application/xml" });
        response.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>',
        );
        return;
      }
      handle(request, response);
    },
    (error) => {
      response.writeHead(400).end(String(error));
    },
  );
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
