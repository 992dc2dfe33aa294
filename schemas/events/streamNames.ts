// The names of event streams, `{kind}-{id}`: made and parsed here only, so no other file spells
// a stream's prefix.

export interface StreamName {
  /** `job-`: the prefix every stream of this kind starts with (subscription filters). */
  readonly prefix: string;
  /** The stream of one aggregate: `job-{id}`. */
  name(id: string): string;
  /** Whether a stream is of this kind. */
  matches(streamId: string): boolean;
  /** The aggregate id of a stream of this kind; a stream of another kind is a mistake and throws. */
  idOf(streamId: string): string;
}

function streamKind(kind: string): StreamName {
  const prefix = `${kind}-`;
  return {
    prefix,
    name: (id) => `${prefix}${id}`,
    matches: (streamId) => streamId.startsWith(prefix),
    idOf(streamId) {
      if (!streamId.startsWith(prefix)) throw new Error(`${streamId} is not a ${kind} stream`);
      return streamId.slice(prefix.length);
    },
  };
}

/** A job and its tasks. */
export const jobStream = streamKind("job");
/** An API token. */
export const tokenStream = streamKind("token");
/** A worker's runs. */
export const workerStream = streamKind("worker");
/** An error reported by the dashboard, a plugin, the kernel or a worker. */
export const errorStream = streamKind("error");
/** An encoding profile. */
export const profileStream = streamKind("profile");
/** A live stream (ingest, sessions, recordings). */
export const liveStream = streamKind("stream");
/** A restream: one input, many destinations. */
export const restreamStream = streamKind("restream");
