// What the stream decider knows of one stream: its settings, its key's hash, the open session (live, or
// waiting for its publisher to return) and what became of past sessions' recordings.

export interface OpenSession {
  sessionId: string;
  /** live: a publisher is connected; reconnecting: it dropped at `interruptedAt`. */
  status: "live" | "reconnecting";
  startedAt: string;
  interruptedAt: string | null;
  endRequested: boolean;
  record: boolean;
}

export interface PastSession {
  record: boolean;
  recorded: boolean;
  archiveJobId: string | null;
}

export type StreamState =
  | { status: "initial" }
  | { status: "deleted"; streamId: string }
  | {
      status: "active";
      streamId: string;
      title: string;
      description: string;
      archiveEnabled: boolean;
      keyHash: string;
      /** The key sealed, for the dashboard's reveal (the command side opens it). */
      sealedKey: string;
      session: OpenSession | null;
      /** Every session that ended, by id. */
      sessions: Readonly<Record<string, PastSession>>;
    };

export type ActiveStream = Extract<StreamState, { status: "active" }>;

export const initialState = (): StreamState => ({ status: "initial" });
