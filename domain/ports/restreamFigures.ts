// Ephemeral figures of a restream's run, kept by the process running it and merged into GET answers;
// never stored as events (the state transitions are).
export interface DestinationFigures {
  /** Kilobits per second sent lately; 0 when nothing is flowing. */
  readonly bitrateKbps: number;
  /** Epoch ms of when it last went live; null while not live. */
  readonly liveSince: number | null;
  /** How many times it fell behind so far that what was queued for it was dropped, to resume on a keyframe. */
  readonly skips: number;
}

export interface RestreamRunFigures {
  readonly runId: string;
  /** Epoch ms the run started in this process. */
  readonly startedAt: number;
  readonly destinations: Readonly<Record<string, DestinationFigures>>;
}

/** A run's figures as the kernel running it sends them on the progress bus, once a second. */
export interface RestreamFiguresTick extends RestreamRunFigures {
  readonly restreamId: string;
  /** ISO time they were read. */
  readonly at: string;
}

export interface RestreamFigures {
  figuresOf(restreamId: string): RestreamRunFigures | undefined;
}
