// The WE-* error catalog: every code the API may answer with, its HTTP status and what to do about it.
// Mapped to the HTTP error shape in one place on the command side; the domain names codes only.
import { z } from "zod";

export interface ErrorDefinition {
  httpStatus: number;
  message: string;
  description: string;
  resolution: string;
}

export const errors = {
  "WE-JOB-001": {
    httpStatus: 400,
    message: "Invalid job request",
    description: "Missing required fields or malformed JSON",
    resolution: "Check request body schema",
  },
  "WE-JOB-002": {
    httpStatus: 400,
    message: "Invalid source URL",
    description: "Source URL is unreachable or unsupported",
    resolution: "Verify URL accessibility",
  },
  "WE-JOB-003": {
    httpStatus: 400,
    message: "Invalid profile",
    description: "Encoding profile does not exist",
    resolution: "Use GET /v1/profiles to list valid profiles",
  },
  "WE-JOB-004": {
    httpStatus: 404,
    message: "Job not found",
    description: "Job ID does not exist",
    resolution: "Verify job ID",
  },
  "WE-JOB-005": {
    httpStatus: 409,
    message: "Job already cancelled",
    description: "Cannot modify a cancelled job",
    resolution: "Create a new job",
  },
  "WE-JOB-006": {
    httpStatus: 409,
    message: "Job already completed",
    description: "Cannot cancel a completed job",
    resolution: "No action needed",
  },
  "WE-JOB-007": {
    httpStatus: 422,
    message: "Unsupported source format",
    description: "File format not supported",
    resolution: "See supported formats list",
  },
  "WE-JOB-008": {
    httpStatus: 500,
    message: "Job processing failed",
    description: "Internal error during processing",
    resolution: "Retry or contact support",
  },
  "WE-JOB-009": {
    httpStatus: 503,
    message: "No workers available",
    description: "All workers are busy or offline",
    resolution: "Wait and retry",
  },
  "WE-JOB-010": {
    httpStatus: 409,
    message: "Stale task attempt",
    description: "A result, progress report or start from an attempt that a newer attempt has superseded",
    resolution: "Drop the work of the stale attempt; the current attempt is scheduled separately",
  },
  "WE-JOB-011": {
    httpStatus: 409,
    message: "Task already started",
    description: "Another worker has already started this attempt of the task",
    resolution: "Drop the message; the attempt belongs to the worker that started it",
  },
  "WE-JOB-012": {
    httpStatus: 500,
    message: "Stitch verification failed",
    description:
      "The stitched output lost, doubled or shifted frames, left a gap at a seam or lost A/V sync; it was not published",
    resolution:
      "The chunks are kept for inspection; retry the job, and report the seam named in details if it fails again",
  },
  "WE-JOB-013": {
    httpStatus: 409,
    message: "Profile in use",
    description: "Queued or running jobs use this encoding profile",
    resolution: "Cancel the jobs named in details, or wait for them to finish, then delete the profile",
  },
  "WE-JOB-014": {
    httpStatus: 404,
    message: "Profile not found",
    description: "No encoding profile has this id",
    resolution: "List profiles with GET /v1/profiles",
  },
  "WE-JOB-015": {
    httpStatus: 409,
    message: "Profile already exists",
    description: "An encoding profile with this id exists",
    resolution: "Choose another id, or edit the profile with PUT /v1/profiles/{id}",
  },
  "WE-JOB-016": {
    httpStatus: 409,
    message: "Profile changed",
    description: "The profile changed since the revision the edit was based on",
    resolution: "Read the profile again and apply the change to it",
  },
  "WE-STR-001": {
    httpStatus: 400,
    message: "Invalid stream request",
    description: "Missing required fields",
    resolution: "Check request body",
  },
  "WE-STR-002": {
    httpStatus: 404,
    message: "Stream not found",
    description: "Stream ID does not exist",
    resolution: "Verify stream ID",
  },
  "WE-STR-003": {
    httpStatus: 409,
    message: "Stream already live",
    description: "Cannot modify settings while live",
    resolution: "Stop stream first",
  },
  "WE-STR-004": {
    httpStatus: 409,
    message: "Stream key conflict",
    description: "Stream key already in use",
    resolution: "Use a different key",
  },
  "WE-STR-005": {
    httpStatus: 422,
    message: "Invalid restream destination",
    description: "RTMP URL format invalid",
    resolution: "Verify destination URL",
  },
  "WE-STR-006": {
    httpStatus: 500,
    message: "Ingest server unavailable",
    description:
      "A live ingest listener is not serving: its port is taken (another RTMP/SRT server on the machine), or the MediaMTX plugin is not responding; the rest of the platform runs on",
    resolution:
      "Free the port or set WEBENCODE_RTMP_PORT / WEBENCODE_SRT_PORT (`off` for no SRT) and restart; for MediaMTX, restart the live plugin",
  },
  "WE-STR-010": {
    httpStatus: 404,
    message: "Restream not found",
    description: "Restream ID does not exist",
    resolution: "Verify restream ID (GET /v1/restreams)",
  },
  "WE-STR-011": {
    httpStatus: 409,
    message: "Restream already streaming",
    description: "A run of this restream is on",
    resolution: "Stop the restream first, or leave it running",
  },
  "WE-STR-012": {
    httpStatus: 409,
    message: "Restream changed",
    description: "The restream changed since the revision given",
    resolution: "Read it again (GET /v1/restreams/{id}) and repeat the edit",
  },
  "WE-STR-013": {
    httpStatus: 400,
    message: "Invalid restream request",
    description: "The input, schedule or a destination reference is wrong",
    resolution: "Check the fields named in details",
  },
  "WE-STR-014": {
    httpStatus: 409,
    message: "Restream not streaming",
    description: "No run of this restream is on",
    resolution: "Start it first (POST /v1/restreams/{id}/start)",
  },
  "WE-WRK-001": {
    httpStatus: 404,
    message: "Worker not found",
    description: "Worker ID does not exist",
    resolution: "List available workers",
  },
  "WE-WRK-002": {
    httpStatus: 409,
    message: "Worker busy",
    description: "Cannot drain worker with active tasks",
    resolution: "Wait for tasks to complete",
  },
  "WE-WRK-003": {
    httpStatus: 410,
    message: "Worker offline",
    description: "Worker has not sent heartbeat",
    resolution: "Check worker connectivity",
  },
  "WE-WRK-004": {
    httpStatus: 500,
    message: "Worker communication failed",
    description: "Connection to worker failed",
    resolution: "Restart worker",
  },
  "WE-ERR-001": {
    httpStatus: 404,
    message: "Error event not found",
    description: "No reported error has this id",
    resolution: "List reported errors with GET /v1/errors",
  },
  "WE-ERR-002": {
    httpStatus: 400,
    message: "Invalid error report",
    description: "A field of the error report is missing, unknown or too long, or the body is too large",
    resolution: "Send source_component, severity and message; keep the report under the size limit",
  },
  "WE-PLG-001": {
    httpStatus: 404,
    message: "Plugin not found",
    description: "Plugin ID does not exist",
    resolution: "List installed plugins",
  },
  "WE-PLG-002": {
    httpStatus: 409,
    message: "Plugin disabled",
    description: "Plugin is disabled",
    resolution: "Enable plugin first",
  },
  "WE-PLG-003": {
    httpStatus: 422,
    message: "Invalid plugin config",
    description: "Config does not match schema",
    resolution: "Validate against plugin schema",
  },
  "WE-PLG-004": {
    httpStatus: 500,
    message: "Plugin crashed",
    description: "Plugin process terminated unexpectedly",
    resolution: "Check plugin logs",
  },
  "WE-PLG-005": {
    httpStatus: 503,
    message: "Plugin degraded",
    description: "Plugin is responding slowly",
    resolution: "Monitor and restart if needed",
  },
  "WE-PLG-006": {
    httpStatus: 500,
    message: "Invalid plugin manifest",
    description: "A plugin.toml is not valid TOML or does not match the manifest format",
    resolution: "Fix the field named in the details, in the plugin.toml named there",
  },
  "WE-PLG-007": {
    httpStatus: 409,
    message: "Plugin incompatible",
    description: "The plugin does not support this kernel version or plugin protocol",
    resolution: "Install a version of the plugin made for this kernel",
  },
  "WE-AUTH-001": {
    httpStatus: 401,
    message: "Unauthorized",
    description: "Missing or invalid token",
    resolution: "Provide valid Bearer token",
  },
  "WE-AUTH-002": {
    httpStatus: 401,
    message: "Token expired",
    description: "JWT token has expired",
    resolution: "Refresh token",
  },
  "WE-AUTH-003": {
    httpStatus: 403,
    message: "Forbidden",
    description: "User lacks permission for action",
    resolution: "Contact admin for access",
  },
  "WE-AUTH-004": {
    httpStatus: 403,
    message: "Role required",
    description: "Specific role required for action",
    resolution: "Check RBAC requirements",
  },
  "WE-AUTH-005": {
    httpStatus: 500,
    message: "Auth provider unavailable",
    description: "OIDC/Keycloak not responding",
    resolution: "Retry or check provider",
  },
  "WE-STO-001": {
    httpStatus: 404,
    message: "Object not found",
    description: "File does not exist in storage",
    resolution: "Verify object key",
  },
  "WE-STO-002": {
    httpStatus: 403,
    message: "Storage access denied",
    description: "Missing storage credentials",
    resolution: "Check plugin config",
  },
  "WE-STO-003": {
    httpStatus: 507,
    message: "Storage full",
    description: "Storage capacity exceeded",
    resolution: "Free space or expand storage",
  },
  "WE-STO-004": {
    httpStatus: 500,
    message: "Storage unavailable",
    description: "Cannot connect to storage backend",
    resolution: "Check storage plugin",
  },
  "WE-STO-005": {
    httpStatus: 400,
    message: "Invalid object key",
    description: "The key is empty, absolute, leaves the storage root or holds a forbidden character",
    resolution: "Use a relative key of plain names separated by '/'",
  },
  "WE-STO-006": {
    httpStatus: 416,
    message: "Range not satisfiable",
    description: "The requested byte range lies outside the object",
    resolution: "Ask for a range that starts before the object's size",
  },
  "WE-SYS-001": {
    httpStatus: 500,
    message: "Internal server error",
    description: "Unexpected error",
    resolution: "Check logs, contact support",
  },
  "WE-SYS-002": {
    httpStatus: 500,
    message: "Database error",
    description: "PostgreSQL query failed",
    resolution: "Check database connectivity",
  },
  "WE-SYS-003": {
    httpStatus: 500,
    message: "Message queue error",
    description: "NATS connection failed",
    resolution: "Check NATS connectivity",
  },
  "WE-SYS-004": {
    httpStatus: 503,
    message: "Service unavailable",
    description: "Kernel is starting or shutting down",
    resolution: "Wait and retry",
  },
  "WE-SYS-005": {
    httpStatus: 429,
    message: "Rate limit exceeded",
    description: "Too many requests",
    resolution: "Wait and retry with backoff",
  },
  "WE-SYS-006": {
    httpStatus: 404,
    message: "No such route",
    description: "No API route has this path",
    resolution: "Check the path against the API reference at /docs",
  },
  "WE-SYS-007": {
    httpStatus: 405,
    message: "Method not allowed",
    description: "The route exists but does not answer this method",
    resolution: "Use one of the methods the Allow header lists",
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errors;

export const errorCodes = Object.keys(errors) as ErrorCode[];

export const errorCodeSchema = z.enum(errorCodes as [ErrorCode, ...ErrorCode[]]);
