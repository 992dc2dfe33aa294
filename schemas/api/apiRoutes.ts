// Every route the kernel serves, with who may call it and the shapes it takes and answers: the OpenAPI
// document is generated from this table, and tests hold the running app and its answers to it.
import { z } from "zod";
import { listDeadLettersQuerySchema } from "./deadLetterRequests.ts";
import { listDeadLettersResponseSchema } from "./deadLetterResponses.ts";
import { errorEnvelopeSchema } from "./errorEnvelope.ts";
import { listErrorsQuerySchema, reportErrorRequestSchema } from "./errorReportRequests.ts";
import {
  errorReportedResponseSchema,
  errorResolvedResponseSchema,
  listErrorsResponseSchema,
} from "./errorReportResponses.ts";
import { eventFeedQuerySchema } from "./eventFeedRequests.ts";
import {
  browseQuerySchema,
  browseResponseSchema,
  signedLinkQuerySchema,
  storageCapabilitiesResponseSchema,
  storageRootsResponseSchema,
  uploadedFileResponseSchema,
  uploadFormSchema,
  uploadQuerySchema,
  uploadUrlRequestSchema,
  uploadUrlResponseSchema,
} from "./fileRequests.ts";
import { healthResponseSchema, readinessResponseSchema } from "./healthResponses.ts";
import { idParamsSchema } from "./idParams.ts";
import {
  cancelJobRequestSchema,
  listJobsQuerySchema,
  minPositionQuerySchema,
  submitJobRequestSchema,
} from "./jobRequests.ts";
import {
  jobCancelledResponseSchema,
  jobCreatedResponseSchema,
  jobDetailSchema,
  jobEventsResponseSchema,
  jobOutputsResponseSchema,
  jobRetriedResponseSchema,
  listJobsResponseSchema,
} from "./jobResponses.ts";
import { jobStatsQuerySchema, jobStatsResponseSchema } from "./jobStatsResponses.ts";
import { listPluginsResponseSchema } from "./pluginResponses.ts";
import { profileIdParamsSchema } from "./profileDocument.ts";
import { createProfileRequestSchema, updateProfileRequestSchema } from "./profileRequests.ts";
import {
  listProfilesResponseSchema,
  profileDetailSchema,
  profileWrittenResponseSchema,
} from "./profileResponses.ts";
import {
  createRestreamRequestSchema,
  listRestreamsQuerySchema,
  updateRestreamRequestSchema,
} from "./restreamRequests.ts";
import {
  listRestreamsResponseSchema,
  restreamDetailSchema,
  restreamWrittenResponseSchema,
} from "./restreamResponses.ts";
import { openSessionRequestSchema, sessionResponseSchema } from "./sessionShapes.ts";
import { createStreamRequestSchema, updateStreamRequestSchema } from "./streamRequests.ts";
import {
  listStreamsResponseSchema,
  streamDetailSchema,
  streamKeyResponseSchema,
  streamStatsResponseSchema,
  streamWrittenResponseSchema,
} from "./streamResponses.ts";
import { createTokenRequestSchema } from "./tokenRequests.ts";
import { createdTokenSchema, listTokensResponseSchema, sseTicketResponseSchema } from "./tokenResponses.ts";
import {
  listWorkersResponseSchema,
  workerDetailSchema,
  workerIdParamsSchema,
  workerStateResponseSchema,
} from "./workerResponses.ts";

/**
 * Who may call a route: anyone (`public`), whoever holds a signed link (`signed`: the signature is the
 * permission, a bearer token adds nothing), a browser's session routes (`session`: they read the token to
 * sign in with, or the session cookie, themselves), or a bearer token of this role or a higher one.
 */
export type ApiAccess = "public" | "signed" | "session" | "viewer" | "operator" | "admin";

export type ApiMethod = "get" | "head" | "post" | "put" | "delete";

export interface ApiBody {
  contentType: string;
  /** Absent for bodies that are bytes (files, pages, scripts). */
  schema?: z.ZodType;
}

export interface ApiResponse {
  description: string;
  /** One entry per content type the route may answer with; none for an empty answer. */
  content?: ApiBody[];
  /** The command's event-log position comes back in `X-WebEncode-Position`. */
  position?: boolean;
}

export interface ApiRoute {
  method: ApiMethod;
  /** OpenAPI style: `/v1/jobs/{id}`. */
  path: string;
  summary: string;
  tags: string[];
  access: ApiAccess;
  request?: {
    params?: z.ZodObject;
    query?: z.ZodObject;
    body?: { required: boolean; content: ApiBody[] };
  };
  /** By status code. Errors every route may answer with (auth, limits, 500) are added by `apiRoute`. */
  responses: Record<number, ApiResponse>;
}

const json = (schema: z.ZodType): ApiBody[] => [{ contentType: "application/json", schema }];
const ok = (description: string, schema: z.ZodType, extra: Partial<ApiResponse> = {}): ApiResponse => ({
  description,
  content: json(schema),
  ...extra,
});
const failure = (description: string): ApiResponse => ({ description, content: json(errorEnvelopeSchema) });

/** What may go wrong with any request, by where the request goes; the route adds its own failures. */
function usualFailures(method: ApiMethod, access: ApiAccess): Record<number, ApiResponse> {
  const failures: Record<number, ApiResponse> = {
    500: failure("WE-SYS-001: something failed on our side; it has been logged"),
  };
  if (access === "viewer" || access === "operator" || access === "admin") {
    failures[401] = failure("WE-AUTH-001/002: no bearer token, or an unknown, revoked or expired one");
    if (access !== "viewer") failures[403] = failure(`WE-AUTH-003: the token's role is below ${access}`);
    if (method !== "get" && method !== "head") {
      failures[429] = failure("WE-SYS-005: this token's command rate is exceeded (Retry-After)");
    }
    if (method === "post") {
      failures[413] = failure("WE-JOB-001: the JSON body is over the size limit");
      failures[422] = failure("WE-JOB-001: the Idempotency-Key was used before with another request");
    }
  }
  if (method === "post" || method === "put") {
    failures[400] ??= failure("WE-JOB-001: the body is not valid JSON, or a field is wrong or unknown");
  }
  return failures;
}

function apiRoute(route: ApiRoute): ApiRoute {
  return { ...route, responses: { ...usualFailures(route.method, route.access), ...route.responses } };
}

const noSuchJob = failure("WE-JOB-004: no job with this id");
const badQuery = failure("WE-JOB-001: a query parameter is wrong or unknown");
const storageFailures = {
  403: failure("WE-STO-002: the storage refused access"),
  404: failure("WE-STO-001 or WE-PLG-001: no such object, folder or storage plugin"),
  500: failure("WE-STO-004 or WE-SYS-001: the storage or the server failed"),
  507: failure("WE-STO-003: the storage is full"),
};
const binary = (contentType: string): ApiBody[] => [{ contentType }];

const downloadTypes = [...binary("video/mp4"), ...binary("application/octet-stream")];
const playbackTypes = [
  ...binary("application/vnd.apple.mpegurl"),
  ...binary("application/dash+xml"),
  ...binary("video/iso.segment"),
  ...binary("video/mp4"),
  ...binary("text/vtt"),
  ...binary("image/jpeg"),
  ...binary("application/octet-stream"),
];

const jobRoutes: ApiRoute[] = [
  {
    method: "post",
    path: "/v1/jobs",
    summary: "Submit a job",
    tags: ["jobs"],
    access: "operator",
    request: { body: { required: true, content: json(submitJobRequestSchema) } },
    responses: {
      201: ok("The job, queued (its URL in Location)", jobCreatedResponseSchema, { position: true }),
      400: failure(
        "WE-JOB-001/002/003: a field is wrong, the source cannot be read, or the profile is unknown",
      ),
      422: failure(
        "WE-JOB-001: publish or webhooks asked for, or the Idempotency-Key was used with another request",
      ),
    },
  },
  {
    method: "get",
    path: "/v1/jobs",
    summary: "List jobs",
    tags: ["jobs"],
    access: "viewer",
    request: { query: listJobsQuerySchema },
    responses: { 200: ok("A page of jobs", listJobsResponseSchema), 400: badQuery },
  },
  {
    method: "get",
    path: "/v1/stats/jobs",
    summary: "Jobs submitted, completed and failed, and video encoded, per hour",
    tags: ["jobs"],
    access: "viewer",
    request: { query: jobStatsQuerySchema },
    responses: { 200: ok("Hourly buckets, oldest first", jobStatsResponseSchema), 400: badQuery },
  },
  {
    method: "get",
    path: "/v1/jobs/{id}",
    summary: "A job with its tasks, attempts and timeline",
    tags: ["jobs"],
    access: "viewer",
    request: { params: idParamsSchema, query: minPositionQuerySchema },
    responses: { 200: ok("The job", jobDetailSchema), 400: badQuery, 404: noSuchJob },
  },
  {
    method: "delete",
    path: "/v1/jobs/{id}",
    summary: "Delete a job (hidden from lists, kept in the log)",
    tags: ["jobs"],
    access: "operator",
    request: { params: idParamsSchema },
    responses: { 204: { description: "Deleted", position: true }, 404: noSuchJob },
  },
  {
    method: "post",
    path: "/v1/jobs/{id}/cancel",
    summary: "Cancel a job",
    tags: ["jobs"],
    access: "operator",
    request: { params: idParamsSchema, body: { required: false, content: json(cancelJobRequestSchema) } },
    responses: {
      200: ok("Cancelled", jobCancelledResponseSchema, { position: true }),
      404: noSuchJob,
      409: failure("WE-JOB-005/006: the job is already cancelled or completed"),
    },
  },
  {
    method: "post",
    path: "/v1/jobs/{id}/retry",
    summary: "Repeat a job as a new one (cancelling it if it still runs)",
    tags: ["jobs"],
    access: "operator",
    request: { params: idParamsSchema },
    responses: {
      201: ok("The new job (its URL in Location)", jobRetriedResponseSchema, { position: true }),
      404: noSuchJob,
      409: failure("WE-JOB-*: the job cannot be retried in its state"),
    },
  },
  {
    method: "get",
    path: "/v1/jobs/{id}/outputs",
    summary: "Outputs with signed, expiring download URLs",
    tags: ["jobs"],
    access: "viewer",
    request: { params: idParamsSchema, query: minPositionQuerySchema },
    responses: { 200: ok("Outputs", jobOutputsResponseSchema), 400: badQuery, 404: noSuchJob },
  },
  {
    method: "get",
    path: "/v1/jobs/{id}/hls-key",
    summary:
      "The 16-byte AES-128 key of a job's encrypted HLS package (players of a playback link get it through the link)",
    tags: ["jobs"],
    access: "viewer",
    request: { params: idParamsSchema },
    responses: {
      200: { description: "The key, 16 bytes", content: binary("application/octet-stream") },
      404: failure("WE-JOB-004 or WE-STO-001: no such job, or its package is not encrypted"),
    },
  },
  {
    method: "get",
    path: "/v1/jobs/{id}/events",
    summary: "A job's events from the event log, oldest first, to replay it as it was at any event",
    tags: ["jobs"],
    access: "viewer",
    request: { params: idParamsSchema },
    responses: { 200: ok("The job's events", jobEventsResponseSchema), 404: noSuchJob },
  },
  {
    method: "post",
    path: "/v1/auth/session",
    summary: "Sign a browser in: an API token becomes an HttpOnly, SameSite=Strict session cookie",
    tags: ["auth"],
    access: "session",
    request: { body: { required: false, content: json(openSessionRequestSchema) } },
    responses: {
      201: ok("Signed in; the cookies are set", sessionResponseSchema),
      401: failure("WE-AUTH-001/002: no token, an unknown, revoked or expired one"),
    },
  },
  {
    method: "get",
    path: "/v1/auth/session",
    summary: "Who the session cookie signs in",
    tags: ["auth"],
    access: "session",
    responses: {
      200: ok("The session", sessionResponseSchema),
      401: failure("WE-AUTH-001/002: no session, or one that ended"),
    },
  },
  {
    method: "delete",
    path: "/v1/auth/session",
    summary: "Sign out: the session ends on every kernel and its cookies are cleared",
    tags: ["auth"],
    access: "session",
    responses: {
      204: {
        description: "Signed out; the position is there when the cookie still signed someone in",
        position: true,
      },
    },
  },
];

const fileRoutes: ApiRoute[] = [
  {
    method: "post",
    path: "/v1/files/upload",
    summary:
      "Stream a file into the media root (raw body or multipart form), or to the storage plugin a form names; returns its source URL",
    tags: ["files"],
    access: "operator",
    request: {
      query: uploadQuerySchema,
      body: {
        required: true,
        content: [
          { contentType: "application/octet-stream" },
          { contentType: "multipart/form-data", schema: uploadFormSchema },
        ],
      },
    },
    responses: {
      201: ok("Uploaded", uploadedFileResponseSchema),
      400: failure("WE-JOB-001 or WE-STO-005: no file name, an empty body, a bad form or object key"),
      413: failure("WE-STO-003: the file is larger than the upload limit"),
      ...storageFailures,
    },
  },
  {
    method: "get",
    path: "/v1/files/capabilities",
    summary: "The running storage plugins and what each can do",
    tags: ["files"],
    access: "viewer",
    responses: { 200: ok("Storage plugins", storageCapabilitiesResponseSchema) },
  },
  {
    method: "get",
    path: "/v1/files/roots",
    summary: "Where browsing starts in each storage plugin: the media folder, the bucket",
    tags: ["files"],
    access: "operator",
    responses: { 200: ok("Roots", storageRootsResponseSchema), ...storageFailures },
  },
  {
    method: "get",
    path: "/v1/files/browse",
    summary: "A folder of a storage plugin: folders first, then files, each by name",
    tags: ["files"],
    access: "operator",
    request: { query: browseQuerySchema },
    responses: {
      200: ok("The folder's entries", browseResponseSchema),
      400: failure("WE-JOB-001 or WE-STO-005: a query parameter or the path is wrong"),
      ...storageFailures,
    },
  },
  {
    method: "post",
    path: "/v1/files/upload-url",
    summary: "A signed URL to PUT one file to: presigned for S3, a signed kernel link for storage-fs",
    tags: ["files"],
    access: "operator",
    request: { body: { required: true, content: json(uploadUrlRequestSchema) } },
    responses: {
      201: ok("The upload URL", uploadUrlResponseSchema),
      400: failure("WE-JOB-001 or WE-STO-005: a field or the object key is wrong"),
      ...storageFailures,
    },
  },
  {
    method: "put",
    path: "/v1/files/signed-upload",
    summary: "Takes the PUT of a storage-fs signed upload URL; the signature is the permission",
    tags: ["files"],
    access: "signed",
    request: {
      query: signedLinkQuerySchema,
      body: { required: true, content: binary("application/octet-stream") },
    },
    responses: {
      201: ok("Stored", uploadedFileResponseSchema),
      400: failure("WE-JOB-001: an empty body"),
      409: failure("WE-PLG-002: storage-fs is disabled"),
      413: failure("WE-STO-003: the file is larger than the upload limit"),
      ...storageFailures,
      403: failure("WE-STO-002: the signature is not valid, or the link has expired"),
    },
  },
  ...(["get", "head"] as const).map(
    (method): ApiRoute => ({
      method,
      path: "/v1/files/download",
      summary:
        "Signed download of a job's output (Range requests supported); the signature is the permission",
      tags: ["files"],
      access: "signed",
      request: { query: signedLinkQuerySchema },
      responses: {
        200: { description: "The file", content: downloadTypes },
        206: { description: "The range asked for", content: downloadTypes },
        401: failure("WE-AUTH-001/002: the signature is not valid, or the link has expired"),
        404: failure("WE-STO-001 or WE-JOB-004: no such object, or its job was deleted"),
        416: { description: "The range lies outside the file (Content-Range: bytes */size)" },
      },
    }),
  ),
];

const playbackParamsSchema = z.strictObject({
  token: z
    .string()
    .meta({ description: "The grant of a playback link, as GET /v1/jobs/{id}/outputs gave it" }),
  path: z
    .string()
    .meta({ description: "A file of the granted folder, e.g. master.m3u8 or video/720p/seg_00001.m4s" }),
});

const playbackRoutes: ApiRoute[] = (["get", "head"] as const).map(
  (method): ApiRoute => ({
    method,
    path: "/v1/play/{token}/{path}",
    summary:
      "Plays a job's package (HLS/DASH), thumbnails or subtitles: the token in the path grants the folder, so a manifest's relative URIs carry it (Range and CORS supported)",
    tags: ["files"],
    access: "signed",
    request: { params: playbackParamsSchema },
    responses: {
      200: { description: "The file", content: playbackTypes },
      206: { description: "The range asked for", content: playbackTypes },
      401: failure("WE-AUTH-001/002: the token is not valid, or the link has expired"),
      404: failure("WE-STO-001 or WE-JOB-004: no such file, or its job was deleted"),
      416: { description: "The range lies outside the file (Content-Range: bytes */size)" },
    },
  }),
);

const playbackKeyRoute: ApiRoute = {
  method: "get",
  path: "/v1/play/{token}/keys/{name}",
  summary:
    "The 16-byte AES-128 key of an encrypted HLS package, as its playlists' EXT-X-KEY points at it: for a grant of that job's package only",
  tags: ["files"],
  access: "signed",
  request: {
    params: z.strictObject({
      token: playbackParamsSchema.shape.token,
      name: z.string().meta({ description: "<job id>.key, as the playlists name it" }),
    }),
  },
  responses: {
    200: { description: "The key, 16 bytes", content: binary("application/octet-stream") },
    401: failure("WE-AUTH-001/002: the token is not valid, or the link has expired"),
    403: failure("WE-AUTH-003: the link grants another job's package, or another folder"),
    404: failure("WE-STO-001 or WE-JOB-004: the package is not encrypted, or its job was deleted"),
  },
};

const tokenRoutes: ApiRoute[] = [
  {
    method: "post",
    path: "/v1/tokens",
    summary: "Create a token; the secret is shown once",
    tags: ["tokens"],
    access: "admin",
    request: { body: { required: true, content: json(createTokenRequestSchema) } },
    responses: { 201: ok("The token with its secret", createdTokenSchema, { position: true }) },
  },
  {
    method: "get",
    path: "/v1/tokens",
    summary: "API tokens, without their secrets",
    tags: ["tokens"],
    access: "admin",
    responses: { 200: ok("Tokens", listTokensResponseSchema) },
  },
  {
    method: "delete",
    path: "/v1/tokens/{id}",
    summary: "Revoke a token",
    tags: ["tokens"],
    access: "admin",
    request: { params: idParamsSchema },
    responses: {
      204: { description: "Revoked", position: true },
      404: failure("WE-JOB-004: no token with this id"),
      409: failure("WE-JOB-005: the token is already revoked"),
    },
  },
  {
    method: "post",
    path: "/v1/events/ticket",
    summary: "Exchange the bearer token for a short-lived ticket to the event feed",
    tags: ["events"],
    access: "viewer",
    responses: { 200: ok("The ticket", sseTicketResponseSchema) },
  },
];

const queryRoutes: ApiRoute[] = [
  {
    method: "get",
    path: "/v1/events/stream",
    summary:
      "Live event feed (SSE): event types as event names, position as id; `event: progress` ticks. Each role receives only the streams it may read (token events: admins only, never the hash)",
    tags: ["events"],
    access: "viewer",
    request: { query: eventFeedQuerySchema },
    responses: {
      200: { description: "The feed", content: binary("text/event-stream") },
      400: badQuery,
      429: failure("WE-SYS-005: the token or the server holds its most open feeds (Retry-After)"),
    },
  },
  {
    method: "get",
    path: "/v1/workers",
    summary: "Workers with capabilities and heartbeat age",
    tags: ["workers"],
    access: "viewer",
    responses: { 200: ok("Workers", listWorkersResponseSchema) },
  },
  {
    method: "get",
    path: "/v1/workers/{id}",
    summary: "A worker with its running tasks, tasks done, mean task time and recent errors",
    tags: ["workers"],
    access: "viewer",
    request: { params: workerIdParamsSchema },
    responses: {
      200: ok("The worker", workerDetailSchema),
      404: failure("WE-WRK-001: no worker with this id"),
    },
  },
  {
    method: "post",
    path: "/v1/workers/{id}/drain",
    summary: "Drain a worker: it finishes what it holds and takes nothing new",
    tags: ["workers"],
    access: "admin",
    request: { params: workerIdParamsSchema },
    responses: {
      200: ok("Draining", workerStateResponseSchema, { position: true }),
      404: failure("WE-WRK-001: no worker with this id"),
      410: failure("WE-WRK-003: the worker no longer runs"),
    },
  },
  {
    method: "post",
    path: "/v1/workers/{id}/undrain",
    summary: "Let a drained worker take new work again",
    tags: ["workers"],
    access: "admin",
    request: { params: workerIdParamsSchema },
    responses: {
      200: ok("Taking work", workerStateResponseSchema, { position: true }),
      404: failure("WE-WRK-001: no worker with this id"),
      410: failure("WE-WRK-003: the worker no longer runs"),
    },
  },
  {
    method: "post",
    path: "/v1/workers/{id}/unquarantine",
    summary: "Lift a worker's quarantine (it failed too many task attempts in a row): it takes work again",
    tags: ["workers"],
    access: "admin",
    request: { params: workerIdParamsSchema },
    responses: {
      200: ok("Taking work", workerStateResponseSchema, { position: true }),
      404: failure("WE-WRK-001: no worker with this id"),
      410: failure("WE-WRK-003: the worker no longer runs"),
    },
  },
  {
    method: "delete",
    path: "/v1/workers/{id}",
    summary: "Remove a worker that no longer runs from the list",
    tags: ["workers"],
    access: "admin",
    request: { params: workerIdParamsSchema },
    responses: {
      200: ok("Removed", workerStateResponseSchema, { position: true }),
      404: failure("WE-WRK-001: no worker with this id"),
      409: failure("WE-WRK-002: the worker is online; drain it and stop it first"),
    },
  },
  {
    method: "get",
    path: "/v1/admin/dead-letters",
    summary: "Events a reactor or projector gave up on and parked, newest first",
    tags: ["admin"],
    access: "admin",
    request: { query: listDeadLettersQuerySchema },
    responses: { 200: ok("Dead letters", listDeadLettersResponseSchema), 400: badQuery },
  },
  {
    method: "get",
    path: "/v1/plugins",
    summary:
      "Installed plugins: type, version, state (loaded, disabled, or failed with its WE-PLG error) and capabilities",
    tags: ["admin"],
    access: "admin",
    responses: { 200: ok("Plugins, by id", listPluginsResponseSchema) },
  },
];

const errorTrackingRoutes: ApiRoute[] = [
  {
    method: "post",
    path: "/v1/errors",
    summary: "Report an error seen by the dashboard or a plugin",
    tags: ["errors"],
    access: "viewer",
    request: { body: { required: true, content: json(reportErrorRequestSchema) } },
    responses: {
      201: ok("Recorded", errorReportedResponseSchema, { position: true }),
      400: failure("WE-ERR-002: the body is not valid JSON, or a field is missing, unknown or too long"),
      413: failure("WE-ERR-002: the report is over the size limit"),
      429: failure("WE-SYS-005: this token or session reports too many errors (Retry-After)"),
    },
  },
  {
    method: "get",
    path: "/v1/errors",
    summary: "Reported errors, newest first, by severity, source, resolved and text",
    tags: ["errors"],
    access: "viewer",
    request: { query: listErrorsQuerySchema },
    responses: { 200: ok("A page of errors", listErrorsResponseSchema), 400: badQuery },
  },
  {
    method: "post",
    path: "/v1/errors/{id}/resolve",
    summary: "Mark a reported error resolved",
    tags: ["errors"],
    access: "operator",
    request: { params: idParamsSchema },
    responses: {
      200: ok("Resolved", errorResolvedResponseSchema, { position: true }),
      404: failure("WE-ERR-001: no reported error with this id"),
    },
  },
];

const systemRoutes: ApiRoute[] = [
  {
    method: "get",
    path: "/health",
    summary: "Liveness",
    tags: ["system"],
    access: "public",
    responses: { 200: ok("Alive", healthResponseSchema) },
  },
  {
    method: "get",
    path: "/ready",
    summary: "Readiness of the event store and queue, and of each reactor and projector",
    tags: ["system"],
    access: "public",
    responses: {
      200: ok("Ready", readinessResponseSchema),
      503: ok("Not ready: the failing checks say why", readinessResponseSchema),
    },
  },
  {
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    tags: ["system"],
    access: "public",
    responses: { 200: ok("OpenAPI 3.1", z.looseObject({ openapi: z.string() })) },
  },
  {
    method: "get",
    path: "/docs",
    summary: "Interactive API docs",
    tags: ["system"],
    access: "public",
    responses: { 200: { description: "A page", content: binary("text/html") } },
  },
  {
    method: "get",
    path: "/docs/assets/swagger-ui-dist/{name}",
    summary: "The docs page's script and styles, served by the kernel itself",
    tags: ["system"],
    access: "public",
    request: { params: z.strictObject({ name: z.string() }) },
    responses: {
      200: {
        description: "The asset",
        content: [...binary("text/css"), ...binary("text/javascript")],
      },
      404: failure("WE-SYS-006: no such asset"),
    },
  },
];

const noSuchProfile = failure("WE-JOB-014: no profile with this id");

const profileRoutes: ApiRoute[] = [
  {
    method: "get",
    path: "/v1/profiles",
    summary: "Encoding profiles: id, name, codec, bitrate, size, container, tier count, built-in or not",
    tags: ["profiles"],
    access: "viewer",
    request: { query: minPositionQuerySchema },
    responses: { 200: ok("Profiles, built-ins first", listProfilesResponseSchema), 400: badQuery },
  },
  {
    method: "get",
    path: "/v1/profiles/{id}",
    summary: "One encoding profile, its whole document",
    tags: ["profiles"],
    access: "viewer",
    request: { params: profileIdParamsSchema, query: minPositionQuerySchema },
    responses: { 200: ok("The profile", profileDetailSchema), 400: badQuery, 404: noSuchProfile },
  },
  {
    method: "post",
    path: "/v1/profiles",
    summary: "Create an encoding profile under the id in the body",
    tags: ["profiles"],
    access: "admin",
    request: { body: { required: true, content: json(createProfileRequestSchema) } },
    responses: {
      201: ok("Created (its URL in Location)", profileWrittenResponseSchema, { position: true }),
      400: failure("WE-JOB-003: a field is wrong; details name each one (e.g. video.maxrate_kbps)"),
      409: failure("WE-JOB-015: a profile with this id exists"),
    },
  },
  {
    method: "put",
    path: "/v1/profiles/{id}",
    summary: "Replace an encoding profile's whole document; jobs already submitted keep theirs",
    tags: ["profiles"],
    access: "admin",
    request: {
      params: profileIdParamsSchema,
      body: { required: true, content: json(updateProfileRequestSchema) },
    },
    responses: {
      200: ok("Replaced", profileWrittenResponseSchema, { position: true }),
      400: failure("WE-JOB-003: a field is wrong; details name each one (e.g. ladder.1.max_height)"),
      404: noSuchProfile,
      409: failure("WE-JOB-016: the profile changed since the revision given"),
    },
  },
  {
    method: "delete",
    path: "/v1/profiles/{id}",
    summary: "Delete an encoding profile no queued or running job uses",
    tags: ["profiles"],
    access: "admin",
    request: { params: profileIdParamsSchema },
    responses: {
      204: { description: "Deleted", position: true },
      404: noSuchProfile,
      409: failure("WE-JOB-013: queued or running jobs use the profile (named in details)"),
    },
  },
];

const noSuchStream = failure("WE-STR-002: no stream with this id");
const streamIsLive = failure("WE-STR-003: a session is open (live, or waiting for its publisher)");

const previewTypes = [
  ...binary("application/vnd.apple.mpegurl"),
  ...binary("video/mp2t"),
  ...binary("application/octet-stream"),
];

const livePreviewRoutes: ApiRoute[] = (["get", "head"] as const).map(
  (method): ApiRoute => ({
    method,
    path: "/v1/live/{token}/{file}",
    summary:
      "A live session's preview (HLS, a few seconds behind): the token in the path grants the session, so the playlist's segment URIs carry it",
    tags: ["streams"],
    access: "signed",
    request: { params: z.strictObject({ token: z.string(), file: z.string() }) },
    responses: {
      200: { description: "The playlist or a segment", content: previewTypes },
      206: { description: "The range asked for", content: previewTypes },
      401: failure("WE-AUTH-001/002: the token is not valid, or the link has expired"),
      404: failure("WE-STO-001: no such file (yet)"),
      416: { description: "The range lies outside the file (Content-Range: bytes */size)" },
    },
  }),
);

const streamRoutes: ApiRoute[] = [
  {
    method: "get",
    path: "/v1/streams",
    summary: "Live streams: those live first, then the others by last activity",
    tags: ["streams"],
    access: "viewer",
    request: { query: minPositionQuerySchema },
    responses: { 200: ok("Streams", listStreamsResponseSchema), 400: badQuery },
  },
  {
    method: "get",
    path: "/v1/streams/{id}",
    summary: "One stream: settings, masked key, ingest URLs, the open session, past sessions, live preview",
    tags: ["streams"],
    access: "viewer",
    request: { params: idParamsSchema, query: minPositionQuerySchema },
    responses: { 200: ok("The stream", streamDetailSchema), 400: badQuery, 404: noSuchStream },
  },
  {
    method: "get",
    path: "/v1/streams/{id}/stats",
    summary: "A stream's live figures, health and the last ten minutes sampled each second",
    tags: ["streams"],
    access: "viewer",
    request: { params: idParamsSchema, query: minPositionQuerySchema },
    responses: { 200: ok("The figures", streamStatsResponseSchema), 400: badQuery, 404: noSuchStream },
  },
  {
    method: "post",
    path: "/v1/streams",
    summary: "Create a live stream; its key is answered in clear this once",
    tags: ["streams"],
    access: "operator",
    request: { body: { required: true, content: json(createStreamRequestSchema) } },
    responses: {
      201: ok("Created (its URL in Location)", streamKeyResponseSchema, { position: true }),
      400: failure("WE-STR-001: a field is wrong or missing"),
      409: failure("WE-STR-004: another stream uses this stream key"),
    },
  },
  {
    method: "put",
    path: "/v1/streams/{id}",
    summary: "Change a stream's title, description or archive setting (archive not while live)",
    tags: ["streams"],
    access: "operator",
    request: { params: idParamsSchema, body: { required: true, content: json(updateStreamRequestSchema) } },
    responses: {
      200: ok("Changed", streamWrittenResponseSchema, { position: true }),
      400: failure("WE-STR-001: a field is wrong"),
      404: noSuchStream,
      409: streamIsLive,
    },
  },
  {
    method: "post",
    path: "/v1/streams/{id}/rotate-key",
    summary: "Give a stream a new key; the old one is refused from now on",
    tags: ["streams"],
    access: "operator",
    request: { params: idParamsSchema },
    responses: {
      200: ok("The new key, in clear this once", streamKeyResponseSchema, { position: true }),
      404: noSuchStream,
      409: streamIsLive,
    },
  },
  {
    method: "post",
    path: "/v1/streams/{id}/end",
    summary: "End the open session: its publisher is disconnected and its recording archived",
    tags: ["streams"],
    access: "operator",
    request: { params: idParamsSchema },
    responses: {
      200: ok("Asked to end", streamWrittenResponseSchema, { position: true }),
      404: noSuchStream,
    },
  },
  {
    method: "delete",
    path: "/v1/streams/{id}",
    summary: "Delete a stream that is not live; its archived jobs stay",
    tags: ["streams"],
    access: "operator",
    request: { params: idParamsSchema },
    responses: { 204: { description: "Deleted", position: true }, 404: noSuchStream, 409: streamIsLive },
  },
  {
    method: "get",
    path: "/v1/streams/{id}/key",
    summary: "A stream's key in clear, for the dashboard's reveal button",
    tags: ["streams"],
    access: "operator",
    request: { params: idParamsSchema },
    responses: { 200: ok("The key and ingest URLs", streamKeyResponseSchema), 404: noSuchStream },
  },
];

const noSuchRestream = failure("WE-STR-010: no restream with this id");
const badRestream = failure(
  "WE-STR-005/013: a destination URL is not rtmp(s):// or srt://, or the input or schedule is wrong",
);

const restreamRoutes: ApiRoute[] = [
  {
    method: "get",
    path: "/v1/restreams",
    summary: "Restreams: title, status, input type, schedule, destinations live",
    tags: ["restreams"],
    access: "viewer",
    request: { query: listRestreamsQuerySchema },
    responses: { 200: ok("Restreams, newest first", listRestreamsResponseSchema), 400: badQuery },
  },
  {
    method: "get",
    path: "/v1/restreams/{id}",
    summary: "One restream with each destination's state, bitrate, uptime, error count and last error",
    tags: ["restreams"],
    access: "viewer",
    request: { params: idParamsSchema, query: minPositionQuerySchema },
    responses: { 200: ok("The restream", restreamDetailSchema), 400: badQuery, 404: noSuchRestream },
  },
  {
    method: "post",
    path: "/v1/restreams",
    summary: "Create a restream; schedule_type immediate starts it at once",
    tags: ["restreams"],
    access: "operator",
    request: { body: { required: true, content: json(createRestreamRequestSchema) } },
    responses: {
      201: ok("Created (its URL in Location)", restreamWrittenResponseSchema, { position: true }),
      400: badRestream,
      422: failure("WE-STR-005: a destination URL is invalid (or the Idempotency-Key was used before)"),
    },
  },
  {
    method: "put",
    path: "/v1/restreams/{id}",
    summary: "Replace a restream's document; a destination sent with its id and no url keeps its URL",
    tags: ["restreams"],
    access: "operator",
    request: { params: idParamsSchema, body: { required: true, content: json(updateRestreamRequestSchema) } },
    responses: {
      200: ok("Replaced; a run on goes on with the new destinations", restreamWrittenResponseSchema, {
        position: true,
      }),
      400: badRestream,
      404: noSuchRestream,
      409: failure("WE-STR-012: the restream changed since the revision given"),
      422: failure("WE-STR-005: a destination URL is invalid"),
    },
  },
  {
    method: "delete",
    path: "/v1/restreams/{id}",
    summary: "Delete a restream, stopping its run",
    tags: ["restreams"],
    access: "operator",
    request: { params: idParamsSchema },
    responses: { 204: { description: "Deleted", position: true }, 404: noSuchRestream },
  },
  {
    method: "post",
    path: "/v1/restreams/{id}/start",
    summary: "Start a run of a restream now",
    tags: ["restreams"],
    access: "operator",
    request: { params: idParamsSchema },
    responses: {
      200: ok("Started", restreamWrittenResponseSchema, { position: true }),
      404: noSuchRestream,
      409: failure("WE-STR-011: a run is on already"),
    },
  },
  {
    method: "post",
    path: "/v1/restreams/{id}/stop",
    summary: "Stop a restream's run; every destination's connection closes",
    tags: ["restreams"],
    access: "operator",
    request: { params: idParamsSchema },
    responses: {
      200: ok("Stopped", restreamWrittenResponseSchema, { position: true }),
      404: noSuchRestream,
      409: failure("WE-STR-014: no run is on"),
    },
  },
];

export const apiRoutes: readonly ApiRoute[] = [
  ...jobRoutes,
  ...profileRoutes,
  ...streamRoutes,
  ...livePreviewRoutes,
  ...restreamRoutes,
  ...fileRoutes,
  playbackKeyRoute,
  ...playbackRoutes,
  ...tokenRoutes,
  ...queryRoutes,
  ...errorTrackingRoutes,
  ...systemRoutes,
].map(apiRoute);
