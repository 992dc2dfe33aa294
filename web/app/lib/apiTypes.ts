// The shapes the API answers with, as the dashboard reads them: the schemas' own types (snake_case, as
// on the wire), so a change to an answer breaks the page that reads it at build time.
import type { JobEventsResponse, JobOutputsResponse } from "../../../schemas/api/jobResponses.ts";
import type { ListProfilesResponse } from "../../../schemas/api/profileResponses.ts";
import type { SessionResponse } from "../../../schemas/api/sessionShapes.ts";
import type { ListWorkersResponse } from "../../../schemas/api/workerResponses.ts";

export type { ReadinessResponse as Readiness } from "../../../schemas/api/healthResponses.ts";
export type { ListJobsQuery, SubmitJobRequest } from "../../../schemas/api/jobRequests.ts";
export type {
  Job,
  JobDetail,
  ListJobsResponse as JobList,
} from "../../../schemas/api/jobResponses.ts";
export type { JobStatsResponse as JobStats } from "../../../schemas/api/jobStatsResponses.ts";
export type { ProfileDocument } from "../../../schemas/api/profileDocument.ts";
export type { ProfileDetail, ProfileWrittenResponse } from "../../../schemas/api/profileResponses.ts";
export type {
  CreateRestreamRequest,
  RestreamDestinationRequest,
  UpdateRestreamRequest,
} from "../../../schemas/api/restreamRequests.ts";
export type {
  ListRestreamsResponse as RestreamList,
  RestreamDestinationView,
  RestreamDetail,
  RestreamSummary,
  RestreamWrittenResponse,
} from "../../../schemas/api/restreamResponses.ts";
export type { CreateStreamRequest, UpdateStreamRequest } from "../../../schemas/api/streamRequests.ts";
export type {
  IngestUrls,
  ListStreamsResponse as StreamList,
  StreamDetail,
  StreamKeyResponse,
  StreamSession,
  StreamStatsResponse as StreamStats,
  StreamSummary,
  TelemetryFrame,
  TelemetrySample,
} from "../../../schemas/api/streamResponses.ts";
export type { TokenResponse as TokenSummary } from "../../../schemas/api/tokenResponses.ts";
export type {
  ListWorkersResponse as WorkerList,
  WorkerDetail,
  WorkerStateResponse,
} from "../../../schemas/api/workerResponses.ts";

export type Worker = ListWorkersResponse["workers"][number];
export type Session = SessionResponse;
/** The roles a session may have, and "system", which only the platform's own processes act as. */
export type Role = SessionResponse["role"] | "system";
export type JobOutput = JobOutputsResponse["outputs"][number];
export type LoggedEvent = JobEventsResponse["events"][number];
export type Profile = ListProfilesResponse["profiles"][number];
