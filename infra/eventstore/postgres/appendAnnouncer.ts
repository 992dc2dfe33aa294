// Other processes learn of appends through NOTIFY, sent after the commit, never inside it (a NOTIFY in
// the append transaction would serialize every commit on the notification queue's lock). Coalesced:
// the first append after a quiet spell is announced at once, then at most one NOTIFY goes out per
// interval, and the last append of a burst is always announced. A NOTIFY per append cost as much as
// the append itself.

export interface AppendAnnouncer {
  /** An append committed. */
  announce(): void;
  /** Sends what is still unannounced, then stops. */
  close(): Promise<void>;
}

export function createAppendAnnouncer(
  send: () => Promise<unknown>,
  onError: (error: Error) => void,
  intervalMs = 5,
): AppendAnnouncer {
  let pending = false;
  let closed = false;
  let lastSent = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;

  function kick() {
    if (timer || inFlight || !pending) return;
    const wait = lastSent + intervalMs - performance.now();
    if (wait > 0 && !closed) {
      timer = setTimeout(() => {
        timer = null;
        kick();
      }, wait);
      return;
    }
    pending = false;
    lastSent = performance.now();
    inFlight = send()
      .then(
        () => {},
        (error) => onError(error as Error),
      )
      .finally(() => {
        inFlight = null;
        kick();
      });
  }

  return {
    announce() {
      if (closed) return;
      pending = true;
      kick();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      kick();
      while (inFlight) await inFlight;
    },
  };
}
