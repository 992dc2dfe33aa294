// What is written to one client, in bounded memory. Frames go straight into the client's Node response
// at once, without a promise each: what the socket has not taken yet stays in the response's buffer,
// and that buffer is the bound. Stored events wait for room (the store keeps them, so a catch-up goes
// at the client's pace); ticks and heartbeats are dropped when there is none.

/** A frame's text; a frame sent to many clients is encoded once and shared as bytes. */
export type Frame = string | Uint8Array;

/** The parts of Node's `ServerResponse` (any `Writable`) the outbox writes through. */
export interface FeedResponse {
  write(chunk: Frame): boolean;
  /** Bytes written and not yet taken by the socket. */
  readonly writableLength: number;
  /** True from a write that filled the buffer until its `drain`. */
  readonly writableNeedDrain: boolean;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  once(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain", listener: () => void): unknown;
}

export interface FeedOutboxOptions {
  response: FeedResponse;
  /** Bytes waiting for the client at most; one larger frame still goes when nothing waits. */
  maxBufferedBytes: number;
}

export interface FeedOutbox {
  /** Writes the frame now if there is room; false if there is none (or the outbox closed). */
  offer(frame: Frame): boolean;
  /** Writes the frame once there is room; false if none was made within `timeoutMs` or the outbox closed. */
  put(frame: Frame, timeoutMs: number): Promise<boolean>;
  /** Resolves true once the client took what waited, false after `timeoutMs` or when the outbox closed. */
  whenRoom(timeoutMs: number): Promise<boolean>;
  /** Nothing waits for the client. */
  readonly idle: boolean;
  /** Takes nothing more and wakes whoever waits for room; what was written still goes out. */
  close(): void;
}

const byteLength = (frame: Frame) =>
  typeof frame === "string" ? Buffer.byteLength(frame) : frame.byteLength;

export function createFeedOutbox({ response, maxBufferedBytes }: FeedOutboxOptions): FeedOutbox {
  let closed = false;
  const roomWaiters = new Set<(room: boolean) => void>();

  // Below the response's own high-water mark it never asks for a drain, so nothing would wake a
  // waiter: the bound applies from there on.
  const hasRoomFor = (frame: Frame) =>
    !closed &&
    !response.writableEnded &&
    !response.destroyed &&
    (!response.writableNeedDrain || response.writableLength + byteLength(frame) <= maxBufferedBytes);

  function close() {
    closed = true;
    for (const wake of [...roomWaiters]) wake(false);
  }
  response.once("close", close);

  function whenRoom(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (closed || response.destroyed) return resolve(false);
      if (!response.writableNeedDrain) return resolve(true);
      const done = (room: boolean) => {
        clearTimeout(timer);
        response.off("drain", drained);
        roomWaiters.delete(done);
        resolve(room && !closed);
      };
      const drained = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      response.once("drain", drained);
      roomWaiters.add(done);
    });
  }

  function offer(frame: Frame): boolean {
    if (!hasRoomFor(frame)) return false;
    response.write(frame);
    return true;
  }

  return {
    offer,
    async put(frame, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!offer(frame)) {
        const left = deadline - Date.now();
        if (closed || left <= 0 || !(await whenRoom(left))) return false;
      }
      return true;
    },
    whenRoom,
    get idle() {
      return response.writableLength === 0;
    },
    close,
  };
}
