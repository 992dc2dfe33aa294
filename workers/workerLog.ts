/** How the processes in workers/ report; the composition root adapts its logger to it. */
export type WorkerLog = (level: "info" | "warn" | "error", message: string) => void;

export const silentLog: WorkerLog = () => {};
