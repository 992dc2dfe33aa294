// What a finished job publishes, and where: its one progressive file, or each rendition of a ladder made
// without packaging, the package (manifests, playlists, init and media segments), the thumbnails and
// storyboard, and the subtitle files — all copied from the job's work folder to `outputs/<jobId>/…`.
import type { OutputType } from "../../schemas/events/jobEvents.ts";
import { jobOutputsFolder, jobWorkFolder } from "./jobFileKeys.ts";
import { finalTask, type Job, type TaskState } from "./jobState.ts";

/** One recorded file: copied and checked against its recorded size and sha256, then listed as an output. */
export interface PublishedFile {
  readonly from: string;
  readonly to: string;
  readonly name: string;
  readonly type: OutputType;
  readonly sizeBytes: number;
  readonly checksum: string;
}

/** A folder copied whole (a package's segments), checked by its file count and total size. */
export interface PublishedFolder {
  readonly from: string;
  readonly to: string;
  readonly fileCount: number;
  readonly sizeBytes: number;
}

export interface Publication {
  readonly _tag: "Publication";
  readonly files: readonly PublishedFile[];
  readonly folders: readonly PublishedFolder[];
}

export interface NothingToPublish {
  readonly _tag: "NothingToPublish";
  readonly problem: string;
}

const extensionOf = (key: string) => {
  const dot = key.lastIndexOf(".");
  return dot > key.lastIndexOf("/") ? key.slice(dot) : ".mp4";
};

export function planPublication(job: Job): Publication | NothingToPublish {
  const work = `${jobWorkFolder(job.jobId)}/`;
  const outputs = jobOutputsFolder(job.jobId);
  const files: PublishedFile[] = [];
  const folders: PublishedFolder[] = [];
  const recorded = (task: TaskState) =>
    task.outputKey !== null && task.sizeBytes !== null && task.checksum !== null
      ? { key: task.outputKey, sizeBytes: task.sizeBytes, checksum: task.checksum }
      : null;

  const single = finalTask(job);
  if (single !== undefined) {
    const output = recorded(single);
    if (output === null) return nothing(`task ${single.sequenceIndex} has no recorded output`);
    files.push({
      from: output.key,
      to: `${outputs}/${job.jobId}_final${extensionOf(output.key)}`,
      name: `${job.jobId}_final${extensionOf(output.key)}`,
      type: "final",
      sizeBytes: output.sizeBytes,
      checksum: output.checksum,
    });
  }
  const packaged = job.tasks.some((task) => task.kind === "package");
  for (const task of job.tasks) {
    if (task.kind === "stitch" && task.rendition !== null && !packaged) {
      const output = recorded(task);
      if (output === null) return nothing(`rendition ${task.rendition} has no recorded output`);
      const name = `${job.jobId}_${task.rendition}${extensionOf(output.key)}`;
      files.push({ from: output.key, to: `${outputs}/${name}`, name, type: "rendition", ...output });
    }
    const folder = { package: "package", thumbnails: "thumbnails", subtitles: "subtitles" }[
      task.kind as string
    ];
    if (folder === undefined) continue;
    const prefix = task.folder?.prefix;
    if (prefix === undefined) return nothing(`the ${task.kind} task has no recorded folder`);
    // Subtitles passed through are in the package; their files are published only when extracted.
    if (task.kind === "subtitles" && job.profile?.subtitles === "passthrough") continue;
    for (const file of task.files) {
      files.push({
        from: file.key,
        to: `${outputs}/${folder}/${file.name}`,
        name: `${folder}/${file.name}`,
        type: file.type,
        sizeBytes: file.sizeBytes,
        checksum: file.checksum,
      });
    }
    if (task.kind === "package" && task.folder !== null)
      folders.push({ from: `${prefix}/`, to: `${outputs}/${folder}/`, ...pick(task.folder) });
  }
  // every key was recorded by a worker: only ever one in this job's own work folder
  const outside = [...files.map((f) => f.from), ...folders.map((f) => f.from)].find(
    (key) => !key.startsWith(work) || key.split("/").some((part) => part === ".." || part === "."),
  );
  if (outside !== undefined) return nothing(`task output ${outside} lies outside the job's work folder`);
  if (files.length === 0) return nothing("the job has no output to publish");
  return { _tag: "Publication", files, folders };
}

const pick = ({ fileCount, sizeBytes }: { fileCount: number; sizeBytes: number }) => ({
  fileCount,
  sizeBytes,
});
const nothing = (problem: string): NothingToPublish => ({ _tag: "NothingToPublish", problem });
