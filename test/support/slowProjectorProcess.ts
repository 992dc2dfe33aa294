// Child process for the crash test: runs the jobs projector with batches that linger inside their
// transaction, so a kill -9 lands mid-batch. Usage: tsx slowProjectorProcess.ts <url> <eventSchema> <readSchema>
import pg from "pg";
import { openPostgresEventStore } from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { startProjector } from "../../infra/processors/runProjector.ts";
import { jobsProjector } from "../../projections/jobs/jobsProjector.ts";

const [url, eventSchema, readSchema] = process.argv.slice(2) as [string, string, string];
const store = await openPostgresEventStore({ url, schema: eventSchema });
const pool = new pg.Pool({ connectionString: url, application_name: "webencode-slow-projector" });
startProjector({
  store,
  pool,
  schema: readSchema,
  batchSize: 40,
  projector: {
    ...jobsProjector,
    async apply(events, context) {
      await jobsProjector.apply(events, context);
      await new Promise((r) => setTimeout(r, 30)); // rows written, transaction still open
    },
  },
});
console.log("started");
