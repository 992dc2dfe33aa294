// Every token folded from the event log, not from a read model: for decisions at start-up (is there an
// admin token?) that must not depend on how far a projector has got. Token events are few; the filter
// is by event type, which the stores index.

import type { EventStore } from "../../domain/ports/eventStore.ts";
import { tokenDecider } from "../../domain/token/tokenDecider.ts";
import type { Token } from "../../domain/token/tokenState.ts";
import { tokenStream } from "../../schemas/events/streamNames.ts";
import { parseTokenEvent, tokenEventTypes } from "../../schemas/events/tokenEvents.ts";

const PAGE = 1000;

export async function loadTokenStates(store: EventStore): Promise<Map<string, Token>> {
  const tokens = new Map<string, Token>();
  let from = "start";
  while (true) {
    const page = await store.readAll({ from, maxCount: PAGE, filter: { eventTypes: tokenEventTypes } });
    for (const recorded of page) {
      if (!tokenStream.matches(recorded.streamId)) continue;
      const parsed = parseTokenEvent(recorded);
      if (parsed._tag !== "Parsed") {
        throw new Error(`cannot read ${recorded.type} at position ${recorded.position}: ${parsed._tag}`);
      }
      const tokenId = tokenStream.idOf(recorded.streamId);
      const next = tokenDecider.evolve(tokens.get(tokenId) ?? tokenDecider.initialState(), parsed.event);
      if (next.status !== "initial") tokens.set(tokenId, next);
    }
    if (page.length < PAGE) return tokens;
    from = page.at(-1)!.checkpoint;
  }
}
