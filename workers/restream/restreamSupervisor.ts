// Runs the restreams the log says should be running. It folds every `restream-{id}` stream from the start
// (so a kernel that starts again resumes the runs that were on), starts a run on RestreamStarted, stops it
// on RestreamStopped or a delete, hands an edit's destinations to the run on air, starts runs at their
// scheduled or recurring times (croner), and reports destination transitions and a run's end back.
import { Cron } from "croner";
import type { DestinationUrlSealer } from "../../domain/ports/destinationUrlSealer.ts";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { RestreamControl } from "../../domain/ports/restreamControl.ts";
import type { RestreamFigures, RestreamRunFigures } from "../../domain/ports/restreamFigures.ts";
import { restreamDecider } from "../../domain/restream/restreamDecider.ts";
import type { RestreamState } from "../../domain/restream/restreamState.ts";
import { parseRestreamEvent, type RestreamDefinition } from "../../schemas/events/restreamEvents.ts";
import { restreamStream } from "../../schemas/events/streamNames.ts";
import { sleepUnlessAborted } from "../sleepUnlessAborted.ts";
import type { RestreamInputReader } from "./restreamInputReader.ts";
import {
  type RestreamRun,
  type RestreamRunOptions,
  type RunDestination,
  startRestreamRun,
} from "./restreamRun.ts";

export interface RestreamSupervisorOptions {
  store: EventStore;
  control: RestreamControl;
  sealer: DestinationUrlSealer;
  inputs: RestreamInputReader;
  ffmpegPath: string;
  newId: () => string;
  log: (level: "info" | "warn" | "error", message: string) => void;
  /** How each run waits (the slate, a stalled destination, a file's start and end); the run's defaults otherwise. */
  timings?: Pick<RestreamRunOptions, "stallMs" | "destinationStallMs" | "holdStartMs" | "endDrainMs">;
  /** Each running restream's figures, once a second: for the kernels that do not run it. */
  publishFigures?: (restreamId: string, figures: RestreamRunFigures) => void;
}

export interface RestreamSupervisor extends RestreamFigures {
  stop(): Promise<void>;
}

interface Supervised {
  runId: string;
  abort: AbortController;
  run: RestreamRun | null;
  /** The run's whole life: locating the input, running, stopping. */
  done: Promise<void>;
}

export function startRestreamSupervisor(options: RestreamSupervisorOptions): RestreamSupervisor {
  const states = new Map<string, RestreamState>();
  const running = new Map<string, Supervised>();
  const schedules = new Map<string, { key: string; cron: Cron; stopAfter?: NodeJS.Timeout }>();
  // a recurring occurrence's end, by restream: set from its RestreamStarted in the log, so that a kernel
  // started again (or taking over the lead) ends an occurrence that began before it as the cron would have
  const occurrences = new Map<string, { runId: string; endsAtMs: number; timer?: NodeJS.Timeout }>();
  const stopping = new AbortController();
  let caughtUp = false;

  const destinationsOf = (definition: RestreamDefinition): RunDestination[] =>
    definition.destinations
      .filter((destination) => destination.enabled)
      .flatMap((destination) => {
        try {
          const url = options.sealer.open(destination.url);
          return [
            {
              destinationId: destination.destinationId,
              url,
              masked: destination.url.masked,
              ...(destination.transcode === undefined ? {} : { transcode: destination.transcode }),
            },
          ];
        } catch {
          options.log(
            "error",
            `restream destination ${destination.url.masked} cannot be opened with this platform's key`,
          );
          return [];
        }
      });

  function startRun(restreamId: string, runId: string, definition: RestreamDefinition) {
    const abort = new AbortController();
    const supervised: Supervised = { runId, abort, run: null, done: Promise.resolve() };
    running.set(restreamId, supervised);
    const execute = (command: Parameters<RestreamControl["execute"]>[0]) =>
      options.control.execute(command).catch((error: Error) => {
        options.log("warn", `restream ${restreamId}: ${command.type} not recorded: ${error.message}`);
      });
    supervised.done = (async () => {
      let location = await options.inputs.locate(definition.input);
      // a live input not live yet is waited for; a file that cannot be read fails the run
      while (location._tag === "Unreadable" && definition.input.type === "rtmp" && !abort.signal.aborted) {
        await sleepUnlessAborted(2000, abort.signal);
        location = await options.inputs.locate(definition.input);
      }
      if (abort.signal.aborted) return;
      if (location._tag === "Unreadable") {
        await execute({
          type: "StopRestream",
          data: { restreamId, runId, reason: "failed", error: location.reason },
        });
        return;
      }
      const live = location.live;
      supervised.run = startRestreamRun({
        runId,
        input: {
          url: location.url,
          live,
          loop: !live && definition.loop,
          realtime: live || definition.simulateLive,
        },
        destinations: destinationsOf(definition),
        ffmpegPath: options.ffmpegPath,
        report: (destinationId, state, errorCount, lastError) =>
          void execute({
            type: "ReportDestinationState",
            data: {
              restreamId,
              runId,
              destinationId,
              state,
              errorCount,
              ...(lastError ? { lastError } : {}),
            },
          }),
        ended: (reason, error) =>
          void execute({
            type: "StopRestream",
            data: { restreamId, runId, reason, ...(error === undefined ? {} : { error }) },
          }),
        log: (message) => options.log("info", message),
        ...options.timings,
      });
      await new Promise<void>((resolve) =>
        abort.signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      await supervised.run.stop();
    })().catch((error: Error) => options.log("error", `restream ${restreamId}: ${error.message}`));
  }

  async function stopRun(restreamId: string) {
    const supervised = running.get(restreamId);
    if (supervised === undefined) return;
    running.delete(restreamId);
    supervised.abort.abort();
    await supervised.done;
  }

  function schedule(restreamId: string, state: RestreamState) {
    const existing = schedules.get(restreamId);
    const definition = state.status === "active" ? state.definition : null;
    const plan = definition?.schedule;
    const key = JSON.stringify(plan ?? null);
    if (existing?.key === key) return;
    existing?.cron.stop();
    schedules.delete(restreamId);
    if (definition === null || plan === undefined || plan.type === "immediate") return;
    const start = () => {
      const runId = options.newId();
      void options.control
        .execute({ type: "StartRestream", data: { restreamId, runId, trigger: "schedule" } })
        .then((result) => {
          if (result._tag === "RestreamRejected") {
            options.log("info", `restream ${restreamId}: scheduled start skipped (already streaming)`);
          }
        })
        .catch((error: Error) =>
          options.log("warn", `restream ${restreamId}: scheduled start: ${error.message}`),
        );
    };
    const pattern = plan.type === "scheduled" ? new Date(plan.startAt) : plan.cron;
    // a one-off time already past is not made up for: it was missed, and the restream waits for a start
    if (pattern instanceof Date && pattern.getTime() <= Date.now()) return;
    const cron = new Cron(
      pattern,
      { ...(plan.type === "recurring" && plan.timezone ? { timezone: plan.timezone } : {}), protect: true },
      start,
    );
    schedules.set(restreamId, { key, cron });
  }

  /** Ends the occurrence on air at its end time, once: at once when that time has passed. */
  function endOccurrence(restreamId: string, state: RestreamState) {
    const occurrence = occurrences.get(restreamId);
    if (occurrence === undefined) return;
    const on = state.status === "active" ? state.run : null;
    if (on?.runId !== occurrence.runId) {
      clearTimeout(occurrence.timer);
      occurrences.delete(restreamId);
      return;
    }
    if (occurrence.timer !== undefined) return;
    occurrence.timer = setTimeout(
      () =>
        void options.control
          .execute({
            type: "StopRestream",
            data: { restreamId, runId: occurrence.runId, reason: "schedule_ended" },
          })
          .catch((error: Error) =>
            options.log("warn", `restream ${restreamId}: occurrence end not recorded: ${error.message}`),
          ),
      Math.max(0, occurrence.endsAtMs - Date.now()),
    );
  }

  async function reconcile(restreamId: string) {
    const state = states.get(restreamId);
    if (state === undefined) return;
    schedule(restreamId, state);
    endOccurrence(restreamId, state);
    const wanted = state.status === "active" ? state.run : null;
    const current = running.get(restreamId);
    if (current !== undefined && current.runId !== wanted?.runId) await stopRun(restreamId);
    if (state.status !== "active" || wanted === null) return;
    const now = running.get(restreamId);
    if (now === undefined) startRun(restreamId, wanted.runId, state.definition);
    else now.run?.setDestinations(destinationsOf(state.definition));
  }

  function fold(recorded: RecordedEvent): string | null {
    const parsed = parseRestreamEvent(recorded);
    if (parsed._tag !== "Parsed") {
      options.log(
        "warn",
        `restream supervisor: skipped ${recorded.type} at ${recorded.position} (${parsed._tag})`,
      );
      return null;
    }
    const restreamId = restreamStream.idOf(recorded.streamId);
    const state = restreamDecider.evolve(
      states.get(restreamId) ?? restreamDecider.initialState(),
      parsed.event,
    );
    states.set(restreamId, state);
    const plan = state.status === "active" ? state.definition.schedule : undefined;
    if (
      parsed.event.type === "RestreamStarted" &&
      parsed.event.data.trigger === "schedule" &&
      plan?.type === "recurring" &&
      plan.durationSeconds !== undefined
    ) {
      clearTimeout(occurrences.get(restreamId)?.timer);
      const startedAtMs =
        Date.parse(String(recorded.metadata.occurredAt ?? "")) || recorded.createdAt.getTime();
      occurrences.set(restreamId, {
        runId: parsed.event.data.runId,
        endsAtMs: startedAtMs + plan.durationSeconds * 1000,
      });
    }
    return restreamId;
  }

  const subscription = options.store.subscribeToAll({
    from: "start",
    filter: { streamPrefixes: [restreamStream.prefix] },
    signal: stopping.signal,
  });
  const following = (async () => {
    try {
      for await (const message of subscription) {
        if (message.type === "event") {
          const restreamId = fold(message.event);
          // while catching up only the last state of each restream matters: reconcile once, at the end
          if (restreamId !== null && caughtUp) await reconcile(restreamId);
        } else if (message.type === "caughtUp" && !caughtUp) {
          caughtUp = true;
          for (const restreamId of states.keys()) await reconcile(restreamId);
        }
      }
    } catch (error) {
      if (!stopping.signal.aborted)
        options.log("error", `restream supervisor stopped following: ${(error as Error).message}`);
    }
  })();

  const publishing =
    options.publishFigures === undefined
      ? undefined
      : setInterval(() => {
          for (const [restreamId, { run }] of running) {
            if (run !== null) options.publishFigures?.(restreamId, run.figures());
          }
        }, 1000);

  return {
    figuresOf(restreamId): RestreamRunFigures | undefined {
      return running.get(restreamId)?.run?.figures();
    },
    async stop() {
      clearInterval(publishing);
      stopping.abort();
      await subscription.close();
      await following;
      for (const { cron } of schedules.values()) cron.stop();
      for (const { timer } of occurrences.values()) clearTimeout(timer);
      await Promise.all([...running.keys()].map((restreamId) => stopRun(restreamId)));
    },
  };
}
