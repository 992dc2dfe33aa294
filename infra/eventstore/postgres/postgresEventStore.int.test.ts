import { afterAll } from "vitest";
import { createTestDatabase } from "../../../test/support/testDatabase.ts";
import { describeEventStoreContract } from "../eventStoreContract.ts";
import { openPostgresEventStore } from "./postgresEventStore.ts";

const database = await createTestDatabase("es");
afterAll(() => database.drop());

describeEventStoreContract("PostgreSQL", async () => {
  const store = await openPostgresEventStore({ url: database.url, schema: "contract" });
  return { store, dispose: () => store.close() };
});
