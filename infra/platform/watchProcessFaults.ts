// No single request may end a long-running process: once it serves, an unhandled rejection or an
// uncaught exception is logged, counted (shown by /ready) and survived. Before that, during start-up,
// a fault means the process cannot be trusted to have started right: it is fatal, and the caller
// stops what it started (the embedded database included) and exits with an error.

export interface ProcessFaultCounts {
  unhandled_rejections: number;
  uncaught_exceptions: number;
  last_fault?: string;
}

export interface ProcessFaults {
  /** Rejects with the first fault raised before `serving()`. */
  readonly duringStartUp: Promise<never>;
  /** From now on faults are logged, counted and survived. */
  serving(): void;
  counts(): ProcessFaultCounts;
  /** Removes the handlers: Node's own behaviour (exit on a fault) applies again. */
  dispose(): void;
}

const describe = (fault: unknown): string =>
  fault instanceof Error ? (fault.stack ?? `${fault.name}: ${fault.message}`) : String(fault);

export function watchProcessFaults(log: (message: string) => void): ProcessFaults {
  let serving = false;
  const counts: ProcessFaultCounts = { unhandled_rejections: 0, uncaught_exceptions: 0 };
  let failStartUp: (fault: unknown) => void = () => {};
  const duringStartUp = new Promise<never>((_, reject) => {
    failStartUp = reject;
  });
  duringStartUp.catch(() => {}); // observed by the caller's race; never an unhandled rejection itself

  const onFault = (kind: "unhandled rejection" | "uncaught exception", fault: unknown) => {
    if (!serving) {
      log(`${kind} during start-up: ${describe(fault)}`);
      failStartUp(fault);
      return;
    }
    if (kind === "unhandled rejection") counts.unhandled_rejections++;
    else counts.uncaught_exceptions++;
    counts.last_fault = `${kind}: ${fault instanceof Error ? fault.message : String(fault)}`;
    log(`${kind} (the process keeps serving; reported in /ready): ${describe(fault)}`);
  };
  const onRejection = (reason: unknown) => onFault("unhandled rejection", reason);
  const onException = (error: Error) => onFault("uncaught exception", error);
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);

  return {
    duringStartUp,
    serving() {
      serving = true;
    },
    counts: () => ({ ...counts }),
    dispose() {
      process.off("unhandledRejection", onRejection);
      process.off("uncaughtException", onException);
    },
  };
}
