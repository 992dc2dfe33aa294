// Where a job's files live in storage. Folder names are made from job ids only, and keys are read back
// into job ids here, so no stream name or request ever becomes a path.
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isJobId = (value: string): boolean => JOB_ID.test(value);

/** Every attempt's output of a job, until it is published or swept. */
export const jobWorkFolder = (jobId: string) => `work/${jobId}`;

/** What a job published; removed when the job is deleted. */
export const jobOutputsFolder = (jobId: string) => `outputs/${jobId}`;

/** Secrets of a job kept beside its files, never published: its HLS AES-128 key. Removed when the job is deleted. */
export const jobKeysFolder = (jobId: string) => `keys/${jobId}`;

/** Where the job storage holds a job's HLS AES-128 key and IV (16 bytes each, in that order). */
export const hlsKeyObject = (jobId: string) => `${jobKeysFolder(jobId)}/hls-aes-128`;

/**
 * The key's path inside the job's package folder as players ask for it (the kernel answers it from the
 * key object, to a holder of the package's playback grant): relative to a media playlist two folders
 * down (`video/720p/playlist.m3u8`, `audio/en/playlist.m3u8`), so it carries the grant of the link.
 */
export const hlsKeyPath = (jobId: string) => `keys/${jobId}.key`;
export const hlsKeyUri = (jobId: string) => `../../${hlsKeyPath(jobId)}`;

export const finalOutputKey = (jobId: string) => `${jobOutputsFolder(jobId)}/${jobId}_final.mp4`;

/** The job whose output `key` names (`outputs/<jobId>/…`), or null for any other key. */
export function jobOfOutputKey(key: string): string | null {
  const [top, jobId, ...rest] = key.split("/");
  if (top !== "outputs" || jobId === undefined || !isJobId(jobId) || rest.length === 0) return null;
  return rest.every((part) => part !== "" && part !== "." && part !== "..") ? jobId : null;
}
