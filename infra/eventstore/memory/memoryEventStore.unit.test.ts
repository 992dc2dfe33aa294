import { describeEventStoreContract } from "../eventStoreContract.ts";
import { createMemoryEventStore } from "./memoryEventStore.ts";

describeEventStoreContract("in-memory", async () => {
  const store = createMemoryEventStore();
  return { store, dispose: () => store.close() };
});
