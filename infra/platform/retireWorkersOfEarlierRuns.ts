// In `webencode up` every worker lives in this one process, so workers an earlier run left marked
// online (it was killed and could not say goodbye) are certainly gone: record that they stopped.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { workerStream } from "../../schemas/events/streamNames.ts";
import { workerEventData } from "../../workers/encode/workerEventData.ts";
import { reactionContext } from "../../workers/reactionContext.ts";

export async function retireWorkersOfEarlierRuns(
  store: EventStore,
  pool: pg.Pool,
  schema: string,
): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `select id from "${schema}".workers where status = 'online'`,
  );
  for (const { id } of rows) {
    const eventId = randomUUID();
    await store.append(
      workerStream.name(id),
      [
        workerEventData(
          {
            type: "WorkerStopped",
            data: { workerId: id, reason: "gone with an earlier run of the platform" },
          },
          { id: eventId, context: reactionContext({ id: eventId }), occurredAt: new Date() },
        ),
      ],
      { expected: "any" },
    );
  }
  return rows.length;
}
