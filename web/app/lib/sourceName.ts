/** What a person calls a source: its file name, without the id an upload is stored under. */
export function sourceName(sourceUrl: string): string {
  const last = sourceUrl.split(/[/?#]/).filter(Boolean).pop() ?? sourceUrl;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // a malformed escape: show the text as it is
  }
  return name.replace(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/i, "");
}
