/** The `code` of a Node system error (`"ENOENT"`, `"ENOSPC"`, …), if the value is one. */
export const errnoOf = (error: unknown): string | undefined =>
  error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
