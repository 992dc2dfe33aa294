// The OpenAPI document, generated from the same zod schemas that validate requests, and an
// interactive docs page at /docs.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { swaggerUI } from "@hono/swagger-ui";
import { Hono } from "hono";
import { z } from "zod";
import {
  browseQuerySchema,
  browseResponseSchema,
  storageCapabilitiesResponseSchema,
  storageRootsResponseSchema,
  uploadUrlRequestSchema,
  uploadUrlResponseSchema,
} from "../../schemas/api/fileRequests.ts";
import {
  cancelJobRequestSchema,
  listJobsQuerySchema,
  submitJobRequestSchema,
} from "../../schemas/api/jobRequests.ts";
import { listPluginsResponseSchema } from "../../schemas/api/pluginResponses.ts";
import { errorCodes } from "../../schemas/errors.ts";
import type { HttpEnv } from "./httpEnv.ts";

const errorEnvelope = z.object({
  error: z.object({
    code: z.enum(errorCodes as [string, ...string[]]),
    message: z.string(),
    details: z.string(),
    hint: z.string(),
    request_id: z.string(),
    timestamp: z.string(),
    docs_url: z.string(),
  }),
});

const jobCreated = z.object({
  id: z.uuid(),
  status: z.literal("queued"),
  eta_seconds: z.number().nullable(),
});

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });
const json = (s: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema: schema(s) } },
});
const errors = { default: json(errorEnvelope, "An error in the WE-* envelope") };
const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
const queryParams = (s: z.ZodObject) =>
  Object.entries(s.shape).map(([name, field]) => ({
    name,
    in: "query",
    required: false,
    schema: schema(field as z.ZodType),
  }));
const positionHeader = {
  "X-WebEncode-Position": {
    description: "Event-log position this command produced; pass it as min_position",
    schema: { type: "integer" },
  },
};

export function openApiDocument(version: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "WebEncode API",
      version,
      description:
        "Self-hosted, event-sourced video platform. Every /v1 route needs `Authorization: Bearer <token>`. Commands answer with `X-WebEncode-Position`; queries accept `min_position` for read-your-writes. POSTs accept `Idempotency-Key` (kept 24 h; uploads ignore it; an answer carrying a secret is replayed without it). Commands may be rate limited per token: 429 WE-SYS-005 with `Retry-After`.",
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    security: [{ bearer: [] }],
    paths: {
      "/v1/jobs": {
        post: {
          summary: "Submit a job",
          requestBody: {
            required: true,
            content: { "application/json": { schema: schema(submitJobRequestSchema) } },
          },
          responses: { 201: { ...json(jobCreated, "The job, queued"), headers: positionHeader }, ...errors },
        },
        get: {
          summary: "List jobs",
          parameters: queryParams(listJobsQuerySchema),
          responses: { 200: { description: "A page of jobs" }, ...errors },
        },
      },
      "/v1/jobs/{id}": {
        get: {
          summary: "A job with its tasks, attempts and timeline",
          parameters: [idParam],
          responses: { 200: { description: "The job" }, ...errors },
        },
        delete: {
          summary: "Delete a job (hidden from lists, kept in the log)",
          parameters: [idParam],
          responses: { 204: { description: "Deleted" }, ...errors },
        },
      },
      "/v1/jobs/{id}/cancel": {
        post: {
          summary: "Cancel a job",
          parameters: [idParam],
          requestBody: { content: { "application/json": { schema: schema(cancelJobRequestSchema) } } },
          responses: { 200: { description: "Cancelled" }, ...errors },
        },
      },
      "/v1/jobs/{id}/retry": {
        post: {
          summary: "Repeat a job as a new one (cancelling it if it still runs)",
          parameters: [idParam],
          responses: { 201: { description: "The new job" }, ...errors },
        },
      },
      "/v1/jobs/{id}/outputs": {
        get: {
          summary: "Outputs with signed, expiring download URLs",
          parameters: [idParam],
          responses: { 200: { description: "Outputs" }, ...errors },
        },
      },
      "/v1/files/upload": {
        post: {
          summary:
            "Stream a file into the media root (raw body or multipart form), or to the storage plugin a form names; returns its source URL",
          parameters: [
            {
              name: "name",
              in: "query",
              required: false,
              description:
                "The file's name: required for a raw body; for a form it wins over object_key and the part's file name",
              schema: { type: "string" },
            },
          ],
          requestBody: {
            content: {
              "application/octet-stream": { schema: { type: "string", format: "binary" } },
              "multipart/form-data": {
                schema: {
                  type: "object",
                  required: ["file"],
                  properties: {
                    file: { type: "string", format: "binary" },
                    object_key: {
                      type: "string",
                      description:
                        "Sent before the file: its name in uploads/ for storage-fs, its whole key for another plugin",
                    },
                    plugin_id: {
                      type: "string",
                      description:
                        "Sent before the file: the storage plugin to stream it to; storage-fs when left out",
                    },
                    bucket: { type: "string", description: "Sent before the file: the bucket (storage-s3)" },
                  },
                },
              },
            },
          },
          responses: { 201: { description: "Uploaded" }, ...errors },
        },
      },
      "/v1/files/capabilities": {
        get: {
          summary: "The running storage plugins and what each can do",
          responses: { 200: json(storageCapabilitiesResponseSchema, "Storage plugins"), ...errors },
        },
      },
      "/v1/files/roots": {
        get: {
          summary: "Where browsing starts in each storage plugin (operator): the media folder, the bucket",
          responses: { 200: json(storageRootsResponseSchema, "Roots"), ...errors },
        },
      },
      "/v1/files/browse": {
        get: {
          summary: "A folder of a storage plugin (operator): folders first, then files, each by name",
          parameters: queryParams(browseQuerySchema),
          responses: { 200: json(browseResponseSchema, "The folder's entries"), ...errors },
        },
      },
      "/v1/files/upload-url": {
        post: {
          summary:
            "A signed URL to PUT one file to (operator): presigned for S3, a signed kernel link for storage-fs",
          requestBody: { content: { "application/json": { schema: schema(uploadUrlRequestSchema) } } },
          responses: { 201: json(uploadUrlResponseSchema, "The upload URL"), ...errors },
        },
      },
      "/v1/files/signed-upload": {
        put: {
          summary: "Takes the PUT of a storage-fs signed upload URL; the signature is the permission",
          security: [],
          requestBody: {
            content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
          },
          responses: { 201: { description: "Stored" }, ...errors },
        },
      },
      "/v1/files/download": {
        get: {
          summary: "Signed download (Range requests supported)",
          security: [],
          responses: { 200: { description: "The file" }, 206: { description: "A range" }, ...errors },
        },
      },
      "/v1/profiles": {
        get: { summary: "Encoding profiles", responses: { 200: { description: "Profiles" }, ...errors } },
      },
      "/v1/workers": {
        get: {
          summary: "Workers with capabilities and heartbeat age",
          responses: { 200: { description: "Workers" }, ...errors },
        },
      },
      "/v1/admin/dead-letters": {
        get: {
          summary: "Events a reactor or projector gave up on and parked (admin), newest first",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } },
            { name: "offset", in: "query", schema: { type: "integer", minimum: 0 } },
          ],
          responses: { 200: { description: "Dead letters" }, ...errors },
        },
      },
      "/v1/plugins": {
        get: {
          summary:
            "Installed plugins (admin): type, version, state (loaded, disabled, or failed with its WE-PLG error) and capabilities",
          responses: { 200: json(listPluginsResponseSchema, "Plugins, by id"), ...errors },
        },
      },
      "/v1/tokens": {
        get: { summary: "API tokens (admin)", responses: { 200: { description: "Tokens" }, ...errors } },
        post: {
          summary: "Create a token (admin); the secret is shown once",
          responses: { 201: { description: "Token" }, ...errors },
        },
      },
      "/v1/tokens/{id}": {
        delete: {
          summary: "Revoke a token (admin)",
          parameters: [idParam],
          responses: { 204: { description: "Revoked" }, ...errors },
        },
      },
      "/v1/events/ticket": {
        post: {
          summary: "Exchange the bearer token for a short-lived SSE ticket",
          responses: { 200: { description: "Ticket" }, ...errors },
        },
      },
      "/v1/events/stream": {
        get: {
          summary:
            "Live event feed (SSE): event types as event names, position as id; `event: progress` ticks. Each role receives only the streams it may read (token events: admins only, never the hash)",
          parameters: [
            { name: "ticket", in: "query", schema: { type: "string" } },
            { name: "job", in: "query", schema: { type: "string", format: "uuid" } },
            { name: "types", in: "query", schema: { type: "string" } },
          ],
          responses: {
            200: { description: "text/event-stream" },
            429: json(
              errorEnvelope,
              "WE-SYS-005: the token or the server holds its most open feeds (Retry-After)",
            ),
            ...errors,
          },
        },
      },
      "/health": { get: { summary: "Liveness", security: [], responses: { 200: { description: "Alive" } } } },
      "/ready": {
        get: {
          summary: "Readiness of the event store and queue, and of each reactor and projector",
          security: [],
          responses: { 200: { description: "Ready" }, 503: { description: "Not ready" } },
        },
      },
    },
  };
}

// The docs page's script and styles come from the swagger-ui-dist package, served by us: an installation
// without internet access (or behind a strict proxy) gets a working page, and nothing is loaded from a CDN.
const DOCS_ASSETS = "/docs/assets";
const docsAssetTypes: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};
const swaggerUiDist = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const docsAssets = new Map<string, Promise<Buffer>>();
const docsAsset = (name: string) => {
  let asset = docsAssets.get(name);
  if (!asset) {
    asset = readFile(join(swaggerUiDist, name));
    docsAssets.set(name, asset);
  }
  return asset;
};

export function openApiRoutes(version: string) {
  const document = openApiDocument(version);
  return new Hono<HttpEnv>()
    .get("/openapi.json", (c) => c.json(document))
    .get("/docs", swaggerUI({ url: "/openapi.json", baseUrl: DOCS_ASSETS, title: "WebEncode API" }))
    .get(`${DOCS_ASSETS}/swagger-ui-dist/:name`, async (c) => {
      const name = c.req.param("name");
      const type = docsAssetTypes[name];
      if (!type) return c.notFound();
      return c.body(new Uint8Array(await docsAsset(name)), 200, {
        "content-type": type,
        "cache-control": "public, max-age=86400",
      });
    });
}
