// What `webencode jobs show <id>` prints: the job's line, its tasks as a table (index, kind, the ladder
// tiers a task makes, range, status, worker, attempts, output size) and, for a split job, each stitch's
// proof and each seam's SSIM: one stitch, or one per tier of a ladder.
import type { JobDetail } from "../../schemas/api/jobResponses.ts";

type Task = JobDetail["tasks"][number];
type Stitch = NonNullable<JobDetail["stitch"]>;

type Cell = string | number;

/** Left-aligned columns, each as wide as its widest cell; numbers aligned right. */
function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string[] {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => String(row[i]).length)),
  );
  const line = (cells: readonly Cell[]) =>
    cells
      .map((cell, i) =>
        typeof cell === "number" ? String(cell).padStart(widths[i]!) : String(cell).padEnd(widths[i]!),
      )
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const seconds = (value: number) => value.toFixed(3);

/** The tier a task belongs to, or the tiers it makes at once from one decode (a ladder's chunk). */
const tiersOf = (task: Task) => task.rendition ?? (task.renditions.join("+") || "-");

export function jobDetailTable(job: JobDetail): string[] {
  // a job of one rendition keeps the narrower table
  const ladder = job.tasks.some((task) => task.rendition !== null || task.renditions.length > 0);
  const lines = [
    `${job.id}  ${job.status}  ${job.progress_pct}%  ${job.profile}  ${job.source_url}`,
    ...(job.error ? [`error ${job.error.code}: ${job.error.message}`] : []),
    "",
    ...table(
      ["#", "kind", ...(ladder ? ["tiers"] : []), "range (s)", "status", "worker", "attempts", "size"],
      job.tasks.map((task) => [
        task.sequence_index,
        task.kind,
        ...(ladder ? [tiersOf(task)] : []),
        `${seconds(task.start_time_sec)}–${seconds(task.end_time_sec)}`,
        task.status,
        task.worker_id ?? "-",
        task.attempt,
        formatBytes(task.output_size_bytes),
      ]),
    ),
  ];
  // each tier of a ladder has a stitch of its own; the job's is the one with the worst seam
  const perTier = job.tasks.filter(
    (task): task is Task & { stitch: Stitch } => task.kind === "stitch" && task.stitch !== null,
  );
  if (ladder && perTier.length > 0) {
    for (const task of perTier) lines.push("", ...stitchLines(task.stitch, task.rendition));
  } else if (job.stitch !== null) lines.push("", ...stitchLines(job.stitch, null));
  return lines;
}

function stitchLines(stitch: Stitch, tier: string | null): string[] {
  const lines = [
    `stitch${tier === null ? "" : ` ${tier}`} verified: ${stitch.frame_count} frames; mean SSIM ${stitch.mean_ssim === null ? "-" : stitch.mean_ssim.toFixed(5)}`,
  ];
  if (stitch.seams_unmeasured !== null) lines.push(`seams not measured: ${stitch.seams_unmeasured}`);
  if (stitch.seams.length > 0) {
    lines.push(
      ...table(
        ["seam", "at (s)", "SSIM", "delta"],
        stitch.seams.map((seam) => [
          seam.index,
          seconds(seam.time_sec),
          seam.ssim.toFixed(5),
          seam.delta.toFixed(5),
        ]),
      ),
    );
  }
  return lines;
}
