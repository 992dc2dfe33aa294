// How an encoder reaches remote sources: only through an egress proxy that resolves each host itself,
// checks every address it found and connects to exactly the address it checked, so a name cannot be
// pointed somewhere else between the check and ffmpeg's own connection (DNS rebinding).

/** Why the egress refused or could not complete a connection for one run; the source's fault, not ours. */
export interface EgressFailure {
  /** `refused`: the platform will not fetch from there. `unreachable`: the remote side failed. */
  readonly kind: "refused" | "unreachable";
  readonly message: string;
  readonly hint: string;
}

/** One ffmpeg/ffprobe run's way out: a proxy URL only that run knows. */
export interface EgressPass {
  /** `http://<pass>:<secret>@127.0.0.1:<port>`, for ffmpeg's `http_proxy` (never on a command line). */
  readonly proxyUrl: string;
  /** The first refusal or remote failure seen during this pass, if any. */
  failure(): EgressFailure | undefined;
  /** Ends the pass: its credentials stop working. */
  close(): void;
}

export interface SourceEgress {
  open(): Promise<EgressPass>;
}
