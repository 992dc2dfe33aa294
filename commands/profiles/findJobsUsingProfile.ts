// Reads the jobs read model for the queued or running jobs that name a profile, which may not be deleted
// while they run.
import type pg from "pg";

const ACTIVE = ["queued", "processing", "stitching", "uploading"];

/** At most `limit` job ids, oldest first. */
export async function findJobsUsingProfile(
  pool: pg.Pool,
  schema: string,
  profileId: string,
  limit = 10,
): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `select id from "${schema}".jobs where profile_id = $1 and not deleted and status = any($2)
     order by created_at, id limit $3`,
    [profileId, ACTIVE, limit],
  );
  return rows.map((row) => row.id);
}
