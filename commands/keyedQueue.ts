// Runs the tasks given for one key one after another, and tasks for different keys side by side: this
// process's commands to one aggregate queue up instead of racing each other to the same revision
// (a split job's chunks finishing together on many workers of one process), so only writers in other
// processes can still conflict. A key's queue is dropped once it runs empty.
export interface KeyedQueue {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(task, task);
      const tail = result.catch(() => {});
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}
