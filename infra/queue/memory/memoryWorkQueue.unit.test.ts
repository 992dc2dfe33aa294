import { describeWorkQueueContract } from "../workQueueContract.ts";
import { createMemoryWorkQueue } from "./memoryWorkQueue.ts";

describeWorkQueueContract("in-process", async (options) => {
  const queue = createMemoryWorkQueue(options);
  return { queue, dispose: () => queue.close() };
});
