// The shapes the query API answers with, as the dashboard reads them (snake_case, as on the wire).
export type { ListJobsQuery, SubmitJobRequest } from "../../../schemas/api/jobRequests.ts";
export type { JobStatsResponse as JobStats } from "../../../schemas/api/jobStatsResponses.ts";
export type {
  ListWorkersResponse as WorkerList,
  WorkerDetail,
  WorkerStateResponse,
} from "../../../schemas/api/workerResponses.ts";

import type { ListWorkersResponse } from "../../../schemas/api/workerResponses.ts";

export type Worker = ListWorkersResponse["workers"][number];

export type Role = "viewer" | "operator" | "admin" | "system";

export interface Session {
  user_id: string;
  role: Role;
  token_id: string;
  expires_at: string;
}

export interface Job {
  id: string;
  user_id: string;
  status: string;
  source_type: string;
  source_url: string;
  profile: string;
  progress_pct: number;
  tasks_total: number;
  tasks_completed: number;
  eta_seconds: number | null;
  waiting_for_worker: boolean;
  fps: number | null;
  speed: number | null;
  error: { code: string; message: string } | null;
  retry_of: string | null;
  retried_as: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobTask {
  id: string;
  sequence_index: number;
  start_time_sec: number;
  end_time_sec: number;
  status: string;
  attempt: number;
  max_attempts: number;
  worker_id: string | null;
  progress_pct: number;
  output_size_bytes: number | null;
  attempts: TaskAttempt[];
}

export interface TaskAttempt {
  attempt: number;
  status: string;
  worker_id: string | null;
  started_at: string | null;
  finished_at: string | null;
  exit_class: string | null;
  error_message: string | null;
  stderr_tail: string | null;
}

export interface JobDetail extends Job {
  tasks: JobTask[];
}

export interface JobList {
  jobs: Job[];
  pagination: { total: number; limit: number; offset: number };
}

export interface JobOutput {
  name: string;
  type: string;
  download_url: string;
  size_bytes: number | null;
  profile: string;
}

export interface LoggedEvent {
  position: number;
  revision: number;
  type: string;
  occurred_at: string;
  actor: string | null;
  data: Record<string, unknown>;
}

export interface Profile {
  id: string;
  container: string;
  video: { codec: string; max_width: number; max_height: number; bitrate_kbps: number };
  audio: { codec: string; bitrate_kbps: number };
}

export interface Readiness {
  status: "ready" | "not_ready";
  checks: Record<string, { ok: boolean; detail?: unknown }>;
}

export interface TokenSummary {
  id: string;
  name: string;
  user_id: string;
  role: Role;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}
