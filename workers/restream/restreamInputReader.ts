// What ffmpeg reads for a restream's input: one of our live streams through the live host's read URL,
// a stored file (fs://, s3://) through its storage provider (a checked local path or a presigned URL),
// a finished job's output from job storage. Remote http(s) files are refused here: they would have to
// go through the egress proxy, which reads files for encodes only so far.
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import type { LiveReader } from "../../domain/ports/liveReader.ts";
import type { MediaStorage } from "../../plugins/sdk/mediaStorage.ts";
import { resolveSource } from "../../plugins/sdk/sources/resolveSource.ts";
import { isStorageFailure } from "../../plugins/sdk/storageProvider.ts";
import type { RestreamInput } from "../../schemas/events/restreamEvents.ts";

export type InputLocation =
  | { _tag: "Readable"; url: string; live: boolean }
  | { _tag: "Unreadable"; reason: string };

export interface RestreamInputReader {
  locate(input: RestreamInput): Promise<InputLocation>;
}

export function restreamInputReader(deps: {
  storage: MediaStorage;
  liveReader: LiveReader;
  jobs: Pick<JobCommands, "load">;
}): RestreamInputReader {
  const unreadable = (reason: string): InputLocation => ({ _tag: "Unreadable", reason });
  return {
    async locate(input) {
      if (input.type === "rtmp") {
        const url = await deps.liveReader.readUrl(input.streamId);
        // not live yet: the run waits for it with the slate on air
        return url === null
          ? unreadable(`stream ${input.streamId} is not live`)
          : { _tag: "Readable", url, live: true };
      }
      if (input.type === "file") {
        if (/^https?:\/\//i.test(input.url))
          return unreadable("remote http(s) files cannot be restreamed yet");
        const source = await resolveSource(input.url, { storage: deps.storage });
        if (source._tag === "StoredSource") return { _tag: "Readable", url: source.input, live: false };
        return unreadable(
          "message" in source ? String(source.message) : `the file cannot be read (${source._tag})`,
        );
      }
      const { state } = await deps.jobs.load(input.jobId);
      if (state.status === "initial") return unreadable(`no job ${input.jobId}`);
      const output =
        state.outputs.find((o) => o.name === input.outputKey || o.key === input.outputKey) ??
        (input.outputKey === undefined
          ? state.outputs.find((o) => /\.(mp4|mkv|mov|flv|ts)$/i.test(o.key))
          : undefined);
      if (output === undefined) return unreadable(`job ${input.jobId} has no such output`);
      const location = await deps.storage.jobs.readableLocation(
        { key: output.key },
        { expiresInSeconds: 24 * 3600 },
      );
      if (isStorageFailure(location)) return unreadable(`the job's output cannot be read (${location._tag})`);
      return {
        _tag: "Readable",
        url: location._tag === "LocalFile" ? location.path : location.url,
        live: false,
      };
    },
  };
}
