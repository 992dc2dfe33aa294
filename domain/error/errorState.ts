// What the error decider knows of one reported error: whether it was reported and is resolved.
export type ErrorState = { status: "initial" } | { status: "open" | "resolved"; errorId: string };

export const initialState = (): ErrorState => ({ status: "initial" });
