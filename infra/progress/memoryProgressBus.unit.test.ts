import { createMemoryProgressBus } from "./memoryProgressBus.ts";
import { describeProgressBusContract } from "./progressBusContract.ts";

describeProgressBusContract("in-process", async (options) => {
  const bus = createMemoryProgressBus(options);
  return { publisher: bus, subscriber: bus, dispose: () => bus.close() };
});
