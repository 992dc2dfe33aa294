// The frames waiting for one client, in bounded memory. Stored events wait for room (the store keeps
// them, so a catch-up goes at the client's pace); ticks and heartbeats are dropped when there is none.
// Writes go out one at a time, so nothing queues up unseen in the stream underneath.

export interface FeedOutboxOptions {
  /** Sends one frame; resolves once the transport took it (that is where a slow client pushes back). */
  write: (frame: string) => Promise<unknown>;
  /** Bytes queued at most, the frame being written excluded; one larger frame still goes alone. */
  maxBufferedBytes: number;
}

export interface FeedOutbox {
  /** Queues the frame if there is room now; false if it was dropped. */
  offer(frame: string): boolean;
  /** Queues the frame once there is room; false if none was made within `timeoutMs` or the outbox closed. */
  put(frame: string, timeoutMs: number): Promise<boolean>;
  /** Nothing queued and nothing being written. */
  readonly idle: boolean;
  /** Drops what is queued and takes nothing more; a write under way finishes on its own. */
  close(): void;
}

export function createFeedOutbox({ write, maxBufferedBytes }: FeedOutboxOptions): FeedOutbox {
  const queue: string[] = [];
  let bufferedBytes = 0;
  let writing = false;
  let closed = false;
  let roomWaiters: Array<() => void> = [];

  const hasRoomFor = (frame: string) =>
    !closed && (queue.length === 0 || bufferedBytes + Buffer.byteLength(frame) <= maxBufferedBytes);

  const wakeRoomWaiters = () => {
    const woken = roomWaiters;
    roomWaiters = [];
    for (const wake of woken) wake();
  };

  const enqueue = (frame: string) => {
    queue.push(frame);
    bufferedBytes += Buffer.byteLength(frame);
    if (!writing) void pump();
  };

  function close() {
    closed = true;
    queue.length = 0;
    bufferedBytes = 0;
    wakeRoomWaiters();
  }

  async function pump() {
    writing = true;
    try {
      for (let frame = queue.shift(); frame !== undefined && !closed; frame = queue.shift()) {
        bufferedBytes -= Buffer.byteLength(frame);
        wakeRoomWaiters();
        await write(frame);
      }
    } catch {
      close(); // the transport is gone: the feed learns it from its abort signal
    } finally {
      writing = false;
    }
  }

  return {
    offer(frame) {
      if (!hasRoomFor(frame)) return false;
      enqueue(frame);
      return true;
    },
    async put(frame, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!hasRoomFor(frame)) {
        const left = deadline - Date.now();
        if (closed || left <= 0) return false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          roomWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      enqueue(frame);
      return true;
    },
    get idle() {
      return queue.length === 0 && !writing;
    },
    close,
  };
}
