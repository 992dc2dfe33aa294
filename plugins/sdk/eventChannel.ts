// A push-to-pull bridge: one side pushes values as they happen, one reader pulls them as an async
// iterable; closing (from either side) ends the iteration after what was already pushed.

export interface EventChannel<T> extends AsyncIterable<T> {
  push(value: T): void;
  close(): void;
  readonly closed: boolean;
}

export function createEventChannel<T>(onReaderGone: () => void = () => {}): EventChannel<T> {
  const queued: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | null = null;
  let closed = false;
  const finish = () => {
    closed = true;
    const wake = waiting;
    waiting = null;
    wake?.({ done: true, value: undefined });
  };
  return {
    get closed() {
      return closed;
    },
    push(value) {
      if (closed) return;
      if (waiting !== null) {
        const wake = waiting;
        waiting = null;
        wake({ done: false, value });
      } else {
        queued.push(value);
      }
    },
    close: finish,
    [Symbol.asyncIterator]() {
      return {
        next: () => {
          const value = queued.shift();
          if (value !== undefined) return Promise.resolve({ done: false, value });
          if (closed) return Promise.resolve({ done: true, value: undefined });
          return new Promise((resolve) => {
            waiting = resolve;
          });
        },
        return: () => {
          const wasOpen = !closed;
          queued.length = 0;
          finish();
          if (wasOpen) onReaderGone();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}
