// The furthest log position the event feed has shown this page. A read made because of the feed asks
// the read models to have caught up with it (`min_position`): a projector a little behind the feed
// must not leave a page on the state before the event that woke it, with no later event to fix it.
let latest = 0;

export function noteFeedPosition(frame: string): void {
  try {
    const position = (JSON.parse(frame) as { position?: unknown }).position;
    if (typeof position === "number" && Number.isSafeInteger(position) && position > latest)
      latest = position;
  } catch {
    // a frame that is not a stored event carries no position
  }
}

/** The path of a read-model query, waiting (briefly, on the server) for what the feed has shown. */
export function atFeedPosition(path: string): string {
  if (latest === 0) return path;
  return `${path}${path.includes("?") ? "&" : "?"}min_position=${latest}`;
}
