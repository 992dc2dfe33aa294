// The kernel: HTTP API, projectors, the single-active reactors (planner, dispatcher, publisher) and the
// live feed, over an event store, read-model database, work queue and progress bus handed in.
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono, MiddlewareHandler } from "hono";
import { authMiddleware } from "../../commands/auth/authMiddleware.ts";
import { ensureAdminToken } from "../../commands/auth/ensureAdminToken.ts";
import { sessionRoutes } from "../../commands/auth/sessionRoutes.ts";
import { ticketRoutes } from "../../commands/auth/ticketRoutes.ts";
import { tokenRoutes } from "../../commands/auth/tokenRoutes.ts";
import { createTokenService, type TokenService } from "../../commands/auth/tokenService.ts";
import { errorRoutes } from "../../commands/errors/errorRoutes.ts";
import { downloadRoutes, uploadRoutes } from "../../commands/files/fileRoutes.ts";
import { hlsKeyRoutes } from "../../commands/files/hlsKeyRoutes.ts";
import { playbackRoutes } from "../../commands/files/playbackRoutes.ts";
import { playbackLink, playbackSigner } from "../../commands/files/playbackToken.ts";
import { signedUploadRoutes, storageRoutes } from "../../commands/files/storageRoutes.ts";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { jobRoutes } from "../../commands/jobs/jobRoutes.ts";
import { loadProfile } from "../../commands/profiles/executeProfileCommand.ts";
import { profileRoutes } from "../../commands/profiles/profileRoutes.ts";
import { seedBuiltInProfiles } from "../../commands/profiles/seedBuiltInProfiles.ts";
import { executeRestreamCommand } from "../../commands/restreams/executeRestreamCommand.ts";
import { restreamRoutes } from "../../commands/restreams/restreamRoutes.ts";
import { createLiveSessions } from "../../commands/streams/createLiveSessions.ts";
import { executeStreamCommand, loadStream } from "../../commands/streams/executeStreamCommand.ts";
import { livePreviewRoutes, livePreviewSigner } from "../../commands/streams/livePreviewRoutes.ts";
import { createPreviewAudience, type PreviewAudience } from "../../commands/streams/previewAudience.ts";
import { streamKeyLookup } from "../../commands/streams/streamKeyLookup.ts";
import { createStreamKeyVault } from "../../commands/streams/streamKeyVault.ts";
import { streamRoutes } from "../../commands/streams/streamRoutes.ts";
import { createWorkerCommands } from "../../commands/workers/createWorkerCommands.ts";
import { executeWorkerCommand } from "../../commands/workers/executeWorkerCommand.ts";
import { workerRoutes } from "../../commands/workers/workerRoutes.ts";
import type { IngestUrls } from "../../domain/ports/ingestUrls.ts";
import type { LiveReader } from "../../domain/ports/liveReader.ts";
import type { LiveSessions } from "../../domain/ports/liveSessions.ts";
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import type { Reactor } from "../../domain/ports/reactor.ts";
import type { WorkQueue } from "../../domain/ports/workQueue.ts";
import { tokenHashKey } from "../../domain/token/mintToken.ts";
import { createFfmpegEncoder } from "../../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import { ffmpegPluginConfig } from "../../plugins/encoder-ffmpeg/ffmpegPluginConfig.ts";
import type { EncoderPlugin } from "../../plugins/sdk/encoderPlugin.ts";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { SIGNED_UPLOAD_PATH } from "../../plugins/storage-fs/index.ts";
import { allProjectors } from "../../projections/allProjectors.ts";
import { errorQueryRoutes } from "../../projections/errors/errorQueryRoutes.ts";
import { errorsProjector } from "../../projections/errors/errorsProjector.ts";
import { eventFeedRoute } from "../../projections/feed/eventFeed.ts";
import { createFeedTail } from "../../projections/feed/feedTail.ts";
import { jobEventRoutes } from "../../projections/jobs/jobEventRoutes.ts";
import { createJobQueries } from "../../projections/jobs/jobQueries.ts";
import { jobQueryRoutes } from "../../projections/jobs/jobQueryRoutes.ts";
import { jobsProjector } from "../../projections/jobs/jobsProjector.ts";
import { profileQueryRoutes } from "../../projections/profiles/profileQueryRoutes.ts";
import { profilesProjector } from "../../projections/profiles/profilesProjector.ts";
import { restreamQueryRoutes } from "../../projections/restreams/restreamQueryRoutes.ts";
import { restreamsProjector } from "../../projections/restreams/restreamsProjector.ts";
import { streamQueryRoutes } from "../../projections/streams/streamQueryRoutes.ts";
import { streamsProjector } from "../../projections/streams/streamsProjector.ts";
import { createTelemetrySeries } from "../../projections/streams/telemetrySeries.ts";
import { tokensProjector } from "../../projections/tokens/tokensProjector.ts";
import { createWorkerLivenessQueries } from "../../projections/workers/workerLivenessQueries.ts";
import { workerQueryRoutes } from "../../projections/workers/workerQueryRoutes.ts";
import { jobStream, liveStream } from "../../schemas/events/streamNames.ts";
import { reactionContext } from "../../workers/reactionContext.ts";
import { archiveRecording } from "../../workers/reactors/archiveRecording.ts";
import { dispatcher } from "../../workers/reactors/dispatcher.ts";
import { startFailedWorkSweeper } from "../../workers/reactors/failedWorkSweeper.ts";
import { jobPlanner } from "../../workers/reactors/jobPlanner.ts";
import { outputPublisher } from "../../workers/reactors/outputPublisher.ts";
import { retrySubmitter } from "../../workers/reactors/retrySubmitter.ts";
import { startWorkerLivenessMonitor } from "../../workers/reactors/workerLivenessMonitor.ts";
import { workerQuarantine } from "../../workers/reactors/workerQuarantine.ts";
import { workSweeper } from "../../workers/reactors/workSweeper.ts";
import { restreamInputReader } from "../../workers/restream/restreamInputReader.ts";
import { startRestreamSupervisor } from "../../workers/restream/restreamSupervisor.ts";
import { createEgressProxy } from "../egress/createEgressProxy.ts";
import { remoteSourceOptions } from "../egress/remoteSourceOptions.ts";
import { storageEndpointOrigins } from "../egress/storageEndpointOrigins.ts";
import { createErrorReporter } from "../errors/createErrorReporter.ts";
import { reportingLog } from "../errors/reportingLog.ts";
import { commandRateLimit } from "../http/commandRateLimit.ts";
import { createApp } from "../http/createApp.ts";
import { dashboardRoutes } from "../http/dashboardRoutes.ts";
import { healthRoutes, type ReadinessCheck } from "../http/healthRoutes.ts";
import type { HttpEnv } from "../http/httpEnv.ts";
import { idempotency, idempotencyMigrations, startIdempotencySweeper } from "../http/idempotency.ts";
import { openApiRoutes } from "../http/openApiRoutes.ts";
import { loadInstalledPlugins, requirePlugin } from "../plugins/loadInstalledPlugins.ts";
import { pluginRoutes } from "../plugins/pluginRoutes.ts";
import { migrate } from "../postgres/migrate.ts";
import { deadLetterRoutes } from "../processors/deadLetterRoutes.ts";
import { deadLetterMigrations } from "../processors/deadLetters.ts";
import { processorReadiness } from "../processors/processorReadiness.ts";
import { type ProjectorRunner, startProjector } from "../processors/runProjector.ts";
import { runReactor } from "../processors/runReactor.ts";
import { runWhileLeading } from "../processors/runWhileLeading.ts";
import { startStorageProviders } from "../storage/startStorageProviders.ts";
import { builtInEncodeProfiles } from "./builtInEncodeProfiles.ts";
import { startDashboardBuild } from "./dashboardBuild.ts";
import { defaultIngestUrls } from "./defaultIngestUrls.ts";
import { destinationUrlSealer } from "./destinationUrlSealer.ts";
import type { PlatformDatabase } from "./openDatabase.ts";
import { persistentSecret } from "./persistentSecret.ts";
import type { PlatformConfig } from "./platformConfig.ts";
import { recordingSource } from "./recordingSource.ts";

export const VERSION = "0.1.0";

/** How long the figures another kernel sent for a restream it runs stand (it sends them every second). */
const RESTREAM_FIGURES_FRESH_MS = 5_000;

export interface Kernel {
  url: string;
  port: number;
  /** Set once, on the very first start without WEBENCODE_ADMIN_TOKEN: print it, it is stored nowhere. */
  firstAdminToken?: string;
  tokens: TokenService;
  projectors: ProjectorRunner[];
  /** The HTTP application it serves, for tests that hold its routes to the OpenAPI document. */
  app: Hono<HttpEnv>;
  /** The stream aggregate's side of the live ingest: hand it to the ingest host. */
  liveSessions: LiveSessions;
  /** Job storage: the live ingest in the same process records into it. */
  jobStorage: StorageProvider;
  /** The players of the live previews this kernel serves: the viewers the live ingest reports. */
  previewAudience: PreviewAudience;
  /** Whether this kernel holds the restream lock (and runs what leads with the restreams). */
  restreamRole(): "leading" | "standby" | "stopped";
  stop(): Promise<void>;
}

export type Log = (message: string) => void;

export async function startKernel(
  config: PlatformConfig,
  db: PlatformDatabase,
  queue: WorkQueue,
  progressBus: ProgressBus,
  plainLog: Log,
  /** More checks for /ready, beside the event store, the read models and the queue. */
  readiness: Record<string, ReadinessCheck> = {},
  /**
   * Another encoder plugin for the planner's probes and splits (benchmarks drive a stand-in); the live
   * ingest's addresses and where restreams read a live stream (the live host's; without one, no stream
   * reads as live).
   */
  overrides: {
    encoder?: EncoderPlugin;
    /** The live ingest's addresses; default: this kernel's host with the usual ports. */
    ingestUrls?: IngestUrls;
    /** How long a dropped publisher may take to resume its session (default: the live settings'). */
    reconnectWindowSeconds?: number;
    liveReader?: LiveReader;
    /**
     * Started when this kernel takes the restream lock and stopped when it lets go of it (a kernel's live
     * ingest), so that it runs on one kernel of all, the one pushing the restreams.
     */
    whileLeadingRestreams?: () => { stop(): Promise<void> };
  } = {},
): Promise<Kernel> {
  const { store, pool, readModelSchema: schema } = db;
  const newId = randomUUID;
  const now = () => new Date();
  // errors the kernel logs are reported to error tracking too, off the caller's path
  const errorReporter = createErrorReporter({ store, newId, now, source: "kernel", fallback: plainLog });
  const log = reportingLog(plainLog, errorReporter);
  const jobs = createJobCommands({ store, newId, now });
  const plugins = await loadInstalledPlugins(config, VERSION);
  for (const p of plugins) {
    if (p.state !== "failed") continue;
    log(`plugin ${p.id} failed: ${p.error.code} ${p.error.message}`);
    errorReporter.report("critical", `${p.error.code} ${p.error.message}`, undefined, `plugin:${p.id}`);
  }
  const encoderConfig = ffmpegPluginConfig(requirePlugin(plugins, "encoder-ffmpeg"));
  await mkdir(config.mediaDir, { recursive: true });
  await mkdir(config.storageDir, { recursive: true, mode: 0o700 });
  await migrate(pool, schema, idempotencyMigrations(schema));

  await migrate(pool, schema, deadLetterMigrations(schema));
  await seedBuiltInProfiles(store, now);
  const retry = config.processorRetry;
  const leveled = (level: string, message: string) => (level === "info" ? message : `${level}: ${message}`);
  const projectors = allProjectors.map((projector) =>
    startProjector({
      store,
      pool,
      schema,
      projector,
      retry,
      log: (level, message) => log(leveled(level, message)),
    }),
  );
  const runner = (name: string) => projectors.find((p) => p.name === name)!;
  const jobsRunner = runner(jobsProjector.name);
  const tokensRunner = runner(tokensProjector.name);

  const secret = config.secret ?? (await persistentSecret(config.dataDir, "signing-key", { onNotice: log }));
  const playback = playbackSigner(secret);
  const livePreview = livePreviewSigner(secret);
  const previewAudience = createPreviewAudience();
  const streamKeys = createStreamKeyVault(secret);
  const findStreamByKeyHash = streamKeyLookup({
    pool,
    schema,
    store,
    waitForPosition: runner(streamsProjector.name).waitForPosition,
  });
  const ingestUrls = overrides.ingestUrls ?? defaultIngestUrls(config.host);
  const liveSessions = createLiveSessions({
    store,
    newId,
    now,
    vault: streamKeys,
    findStreamByKeyHash,
    reconnectWindowSeconds: overrides.reconnectWindowSeconds ?? config.live.reconnectWindowMs / 1000,
  });
  const telemetrySeries = createTelemetrySeries({ bus: progressBus });
  const tokens = createTokenService({
    store,
    pool,
    schema,
    newId,
    now,
    waitForProjection: (position) => tokensRunner.waitForPosition(position, 5000),
    hashKey: tokenHashKey(secret),
    ticketSecret: new TextEncoder().encode(`ticket:${secret}`),
    log,
  });
  const storage = await startStorageProviders(plugins, {
    mediaDir: config.mediaDir,
    storageDir: config.storageDir,
    jobStorage: config.jobStorage,
    secret,
  });
  const admin = await ensureAdminToken({ service: tokens, presetToken: config.adminToken });
  if (admin._tag === "PresetRefused") throw new Error(admin.reason);

  const remoteSources = remoteSourceOptions(config);
  const egress = createEgressProxy({ ...remoteSources, storageOrigins: storageEndpointOrigins(plugins) });
  const encoder =
    overrides.encoder ?? createFfmpegEncoder({ stateDir: config.stateDir, egress, ...encoderConfig });
  const reactorLog = (level: string, message: string) => log(leveled(level, message));
  const host = { store, pool, schema, retry, log: reactorLog };
  const reactors: Reactor[] = [
    jobPlanner({
      jobs,
      encoder,
      storage,
      remoteSources,
      profiles: builtInEncodeProfiles,
      workerPool: createWorkerLivenessQueries(pool, schema),
      segmentBounds: config.segmentBounds,
      log: reactorLog,
    }),
    dispatcher({ jobs, queue, log: reactorLog }),
    outputPublisher({ jobs, storage, log: reactorLog }),
    retrySubmitter({ jobs, log: reactorLog }),
    workSweeper({ storage, log: reactorLog }),
    workerQuarantine({ store, workers: createWorkerCommands({ store, newId, now }), log: reactorLog }),
    archiveRecording({
      jobs,
      loadStream: (streamId) => loadStream(store, streamId),
      async recordArchiveJob(streamId, sessionId, jobId, context) {
        const data = { streamId, sessionId, jobId };
        await executeStreamCommand({ store, newId, now }, { type: "RecordArchiveJob", data }, context);
      },
      async loadProfile(profileId) {
        const state = await loadProfile(store, profileId);
        return state.status === "active" ? state.spec : null;
      },
      sourceOf: recordingSource(storage),
      log: reactorLog,
    }),
  ].map((definition) => runReactor({ ...host, ...definition }));

  const sealer = destinationUrlSealer(secret);
  /** Figures another kernel sent lately: a leader that died leaves none behind after a few seconds. */
  const freshRestreamFigures = (restreamId: string) => {
    const tick = progressBus.latestRestreamFigures(restreamId);
    return tick !== undefined && Date.now() - Date.parse(tick.at) < RESTREAM_FIGURES_FRESH_MS
      ? tick
      : undefined;
  };
  // one kernel of all on this database pushes the restreams: two would publish each one twice
  const restreams = runWhileLeading({
    pool,
    key: `webencode-restreams:${schema}`,
    title: "restream supervisor",
    start: () => {
      const supervisor = startRestreamSupervisor({
        store,
        control: {
          execute: (command) =>
            executeRestreamCommand({ store, newId, now }, command, reactionContext({ id: newId() })),
        },
        sealer,
        inputs: restreamInputReader({
          storage,
          liveReader: overrides.liveReader ?? { readUrl: async () => null },
          jobs,
        }),
        ffmpegPath: encoderConfig.ffmpegPath ?? process.env.FFMPEG_PATH ?? "ffmpeg",
        newId,
        log: reactorLog,
        timings: {
          stallMs: config.restreams.slateAfterMs,
          destinationStallMs: config.restreams.destinationStallMs,
          holdStartMs: config.restreams.startHoldMs,
          endDrainMs: config.restreams.endHandOverMs,
        },
        publishFigures: (restreamId, figures) =>
          progressBus.publishRestreamFigures({ restreamId, ...figures, at: new Date().toISOString() }),
      });
      // what leads with the restreams (a kernel's live ingest): a restream of one of our streams reads it
      // in this process, and no other kernel takes its publishers meanwhile
      const alongside = overrides.whileLeadingRestreams?.();
      return {
        supervisor,
        async stop() {
          await Promise.all([supervisor.stop(), alongside?.stop()]);
        },
      };
    },
    log: reactorLog,
  });

  const failedWorkSweeper = startFailedWorkSweeper({
    store,
    storage,
    retentionMs: config.failedRetentionMs,
    intervalMs: config.sweepIntervalMs,
    now,
    log: reactorLog,
  });

  const liveness = startWorkerLivenessMonitor({
    bus: progressBus,
    ...createWorkerLivenessQueries(pool, schema),
    async markLost(workerId, lastHeartbeatAt, missedHeartbeats) {
      const context = reactionContext({ id: newId() });
      const data = { workerId, lastHeartbeatAt: lastHeartbeatAt.toISOString(), missedHeartbeats };
      await executeWorkerCommand({ store, newId, now }, { type: "MarkWorkerLost", data }, context);
    },
    async failAttempt({ jobId, taskId, attempt }, message) {
      const data = {
        taskId,
        attempt,
        exitClass: "transient" as const,
        message,
        stderrTail: "",
        now: now().toISOString(),
      };
      await jobs.execute(jobId, { type: "FailTask", data }, reactionContext({ id: newId() }));
    },
    intervalMs: config.heartbeatIntervalMs,
    now,
    log: reactorLog,
  });

  const idempotencySweeper = startIdempotencySweeper({ pool, schema, ttlMs: config.idempotencyTtlMs, log });
  const bearer = authMiddleware(tokens);
  const bearerOrTicket = authMiddleware(tokens, { allowTicket: true });
  // Browsers' EventSource cannot send headers: only the event stream accepts a short-lived ticket.
  const authenticate: MiddlewareHandler<HttpEnv> = (c, next) =>
    c.req.path === "/v1/events/stream" ? bearerOrTicket(c, next) : bearer(c, next);
  // one subscription of the log for every feed client and the progress clean-up below
  const feedTail = createFeedTail({ store, onError: (error) => log(`event feed: ${error.message}`) });
  const waitForJobs = (position: number, timeoutMs: number) =>
    jobsRunner.waitForPosition(position, timeoutMs);

  const app = createApp({
    authenticate,
    afterAuthentication: [
      // before idempotency: a request beyond the limit costs no database round trip
      ...(config.commandRateLimit ? [commandRateLimit(config.commandRateLimit)] : []),
      idempotency(pool, schema, {
        ttlMs: config.idempotencyTtlMs,
        maxKeysPerUser: config.idempotencyKeysPerUser,
      }),
    ],
    streamingPaths: ["/v1/files/upload", SIGNED_UPLOAD_PATH],
    log: (level, message, detail) => log(leveled(level, message), detail),
    publicRoutes: [
      healthRoutes(
        {
          event_store: async () => ({ ok: true, detail: { head: await store.headPosition() } }),
          processors: processorReadiness({
            processors: [
              ...reactors.map((r) => ({ kind: "reactor" as const, name: r.name, status: r.status })),
              ...projectors.map((p) => ({ kind: "projector" as const, name: p.name, status: p.status })),
            ],
            store,
            pool,
            schema,
            stuckAfterMs: config.processorStuckAfterMs,
          }),
          queue: async () => ({ ok: true, detail: { depth: await queue.depth() } }),
          restreams: async () => ({ ok: true, detail: { state: restreams.state() } }),
          ...readiness,
        },
        VERSION,
      ),
      openApiRoutes(VERSION),
      downloadRoutes({ storage, log, jobIsLive: jobs.isLive }),
      playbackRoutes({ jobs: storage.jobs, signer: playback, jobIsLive: jobs.isLive, log }),
      livePreviewRoutes({ jobs: storage.jobs, signer: livePreview, audience: previewAudience, log }),
      signedUploadRoutes({
        storage,
        log,
        path: SIGNED_UPLOAD_PATH,
        maxBytes: config.maxUploadBytes,
      }),
      sessionRoutes(tokens),
      dashboardRoutes(startDashboardBuild(log)),
    ],
    routes: [
      tokenRoutes(tokens),
      ticketRoutes(tokens),
      jobRoutes({ store, newId, now, storage, remoteSources }),
      jobEventRoutes(store),
      jobQueryRoutes({
        queries: createJobQueries(pool, schema, (jobId) => progressBus.latest(jobId)),
        waitForPosition: waitForJobs,
        outputs: storage.jobs,
        playbackLink: (key, ttl) => playbackLink(playback, key, ttl, Date.now()),
      }),
      hlsKeyRoutes({ jobs: storage.jobs, jobIsLive: jobs.isLive, log }),
      workerQueryRoutes({ pool, schema, progressBus, lastHeartbeat: liveness.lastHeartbeat }),
      workerRoutes({ store, newId, now }),
      errorRoutes({ store, newId, now }),
      errorQueryRoutes({ pool, schema, waitForPosition: runner(errorsProjector.name).waitForPosition }),
      profileRoutes({ store, newId, now, pool, schema }),
      profileQueryRoutes({ pool, schema, waitForPosition: runner(profilesProjector.name).waitForPosition }),
      streamRoutes({ store, newId, now, vault: streamKeys, findStreamByKeyHash, ingestUrls }),
      streamQueryRoutes({
        pool,
        schema,
        waitForPosition: runner(streamsProjector.name).waitForPosition,
        telemetry: telemetrySeries,
        ingestUrls,
        previewLink: (streamId, sessionId) => livePreview.link(streamId, sessionId, 6 * 3600, Date.now()),
      }),
      restreamRoutes({ store, newId, now, sealer }),
      restreamQueryRoutes({
        pool,
        schema,
        waitForPosition: runner(restreamsProjector.name).waitForPosition,
        // a kernel standing by answers with the figures the leading kernel sends on the progress bus
        figures: {
          figuresOf: (restreamId) =>
            restreams.current()?.supervisor.figuresOf(restreamId) ?? freshRestreamFigures(restreamId),
        },
      }),
      uploadRoutes({ storage, maxUploadBytes: config.maxUploadBytes, log }),
      storageRoutes({ storage, log }),
      eventFeedRoute({
        store,
        progressBus,
        tail: feedTail,
        maxClients: config.feedMaxClients,
        maxClientsPerToken: config.feedMaxClientsPerToken,
      }),
      deadLetterRoutes({ pool, schema }),
      pluginRoutes(plugins),
    ],
  });

  // ticks of a job that has ended are of no more use: drop them from the bus's memory
  const endedJob = new Set(["JobCompleted", "JobFailed", "JobCancelled", "JobDeleted"]);
  const progressCleanUp = await feedTail.join({
    event(event) {
      if (jobStream.matches(event.streamId) && endedJob.has(event.type))
        progressBus.forget(jobStream.idOf(event.streamId));
      // a session's figures end with it
      if (
        liveStream.matches(event.streamId) &&
        (event.type === "StreamEnded" || event.type === "StreamDeleted")
      ) {
        progressBus.forgetTelemetry(liveStream.idOf(event.streamId));
        telemetrySeries.forget(liveStream.idOf(event.streamId));
      }
    },
    flush() {},
  });

  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  return {
    url,
    port,
    ...(admin._tag === "AdminTokenCreated" ? { firstAdminToken: admin.token } : {}),
    tokens,
    projectors,
    app,
    liveSessions,
    jobStorage: storage.jobs,
    previewAudience,
    restreamRole: () => restreams.state(),
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      progressCleanUp.leave();
      telemetrySeries.stop();
      await feedTail.close();
      idempotencySweeper.stop();
      await Promise.all([
        ...reactors.map((r) => r.stop()),
        failedWorkSweeper.stop(),
        liveness.stop(),
        restreams.stop(),
      ]);
      await egress.close();
      await storage.close();
      await Promise.all(projectors.map((p) => p.stop()));
      await errorReporter.flush();
    },
  };
}
