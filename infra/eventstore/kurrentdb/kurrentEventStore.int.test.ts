// The shared contract against a real KurrentDB; runs only when KURRENTDB_URL points at one
// (e.g. kurrentdb://127.0.0.1:2113?tls=false), since no server can run on the build machines.
import { describe } from "vitest";
import { describeEventStoreContract } from "../eventStoreContract.ts";
import { openKurrentEventStore } from "./kurrentEventStore.ts";

const url = process.env.KURRENTDB_URL;

describe.skipIf(!url)("KurrentDB adapter", () => {
  describeEventStoreContract("KurrentDB", async () => {
    const store = openKurrentEventStore(url!);
    return { store, dispose: () => store.close(), reappendsKnownIdsAtCurrentRevision: true };
  });
});
