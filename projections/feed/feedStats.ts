// Job counts by status for the feed's `event: stats`, polled every few seconds by one loop shared by
// every connection, and only while one listens: a hundred dashboards cost one query per interval.

export type JobCountsByStatus = Readonly<Record<string, number>>;

export interface FeedStatsSnapshot {
  counts: JobCountsByStatus;
  /** ISO time of the query. */
  at: string;
}

export interface FeedStats {
  /** The latest counts at once when fresh, then each new count; returns the unsubscribe function. */
  subscribe(listener: (snapshot: FeedStatsSnapshot) => void): () => void;
}

export function createFeedStats(options: {
  countJobsByStatus: () => Promise<JobCountsByStatus>;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): FeedStats {
  const intervalMs = options.intervalMs ?? 5_000;
  const onError = options.onError ?? (() => {});
  const listeners = new Set<(snapshot: FeedStatsSnapshot) => void>();
  let latest: { snapshot: FeedStatsSnapshot; takenAt: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  async function poll() {
    timer = undefined;
    polling = true;
    try {
      const snapshot = { counts: await options.countJobsByStatus(), at: new Date().toISOString() };
      latest = { snapshot, takenAt: Date.now() };
      for (const listener of [...listeners]) listener(snapshot);
    } catch (error) {
      onError(error);
    } finally {
      polling = false;
      // the next query starts an interval after this one ended, so slow queries never pile up
      if (listeners.size > 0) timer = setTimeout(poll, intervalMs);
    }
  }

  return {
    subscribe(listener) {
      const entry = (snapshot: FeedStatsSnapshot) => listener(snapshot);
      listeners.add(entry);
      if (latest && Date.now() - latest.takenAt < intervalMs) entry(latest.snapshot);
      if (timer === undefined && !polling) {
        const fresh = latest ? Math.max(0, intervalMs - (Date.now() - latest.takenAt)) : 0;
        timer = setTimeout(poll, fresh);
      }
      return () => {
        listeners.delete(entry);
        if (listeners.size === 0 && timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
        }
      };
    },
  };
}
