// Builds the browse view the same way for every storage provider: entries typed by their name, hidden
// and non-media names filtered as asked, folders first, then files, each by name.
import { extensionOf, mediaKindOf } from "./mediaKind.ts";
import type { BrowseEntry, BrowseListing, BrowseRequest } from "./storageProvider.ts";

export const browseEntry = (
  folder: readonly string[],
  name: string,
  file: { readonly sizeBytes: number; readonly modifiedAt: string | null } | "directory",
): BrowseEntry => {
  const path = [...folder, name].join("/");
  return file === "directory"
    ? { name, path, isDirectory: true, sizeBytes: 0, modifiedAt: null, extension: "", kind: "other" }
    : {
        name,
        path,
        isDirectory: false,
        sizeBytes: file.sizeBytes,
        modifiedAt: file.modifiedAt,
        extension: extensionOf(name),
        kind: mediaKindOf(name),
      };
};

/** The one root a provider with a single folder or bucket offers. */
export const rootEntry = (name: string): BrowseEntry => ({
  name,
  path: "",
  isDirectory: true,
  sizeBytes: 0,
  modifiedAt: null,
  extension: "",
  kind: "other",
});

export const browseListing = (
  folder: readonly string[],
  entries: readonly BrowseEntry[],
  request: Pick<BrowseRequest, "showHidden" | "mediaOnly" | "search">,
): BrowseListing => {
  const search = request.search?.toLowerCase() ?? "";
  const shown = entries
    .filter((entry) => request.showHidden === true || !entry.name.startsWith("."))
    .filter((entry) => request.mediaOnly !== true || entry.isDirectory || entry.kind !== "other")
    .filter((entry) => search === "" || entry.name.toLowerCase().includes(search))
    .sort((a, b) =>
      a.isDirectory !== b.isDirectory
        ? a.isDirectory
          ? -1
          : 1
        : a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0,
    );
  return {
    _tag: "BrowseListing",
    currentPath: folder.join("/"),
    parentPath: folder.length === 0 ? null : folder.slice(0, -1).join("/"),
    entries: shown,
  };
};
