// `webencode jobs list|show|cancel|retry`
import type { JobDetail } from "../../schemas/api/jobResponses.ts";
import type { ApiClient } from "./apiClient.ts";
import { jobDetailTable } from "./jobDetailTable.ts";

interface JobRow {
  id: string;
  status: string;
  profile: string;
  progress_pct: number;
  source_url: string;
  created_at: string;
  error: { code: string; message: string } | null;
}

export async function jobsCommand(client: ApiClient, args: string[], json: boolean): Promise<number> {
  const [action, id] = args;
  const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
  switch (action) {
    case "list": {
      const { jobs, pagination } = await client.request<{ jobs: JobRow[]; pagination: { total: number } }>(
        "GET",
        "/v1/jobs?limit=50",
      );
      if (json) {
        print(jobs);
        return 0;
      }
      for (const job of jobs) {
        console.log(
          `${job.id}  ${job.status.padEnd(10)} ${String(job.progress_pct).padStart(3)}%  ${job.profile.padEnd(11)} ${job.created_at}  ${job.source_url}${job.error ? `  ${job.error.code}` : ""}`,
        );
      }
      console.log(`${jobs.length} of ${pagination.total} jobs`);
      return 0;
    }
    case "show": {
      if (!id) break;
      const job = await client.request<JobDetail>("GET", `/v1/jobs/${id}`);
      if (json) print(job);
      else for (const line of jobDetailTable(job)) console.log(line);
      return 0;
    }
    case "cancel":
      if (!id) break;
      print(await client.request("POST", `/v1/jobs/${id}/cancel`, {}));
      return 0;
    case "retry":
      if (!id) break;
      print(await client.request("POST", `/v1/jobs/${id}/retry`, {}));
      return 0;
  }
  console.error("usage: webencode jobs list | show <id> | cancel <id> | retry <id>");
  return 2;
}
