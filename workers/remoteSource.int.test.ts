// Remote sources against a hostile server, with the real ffprobe/ffmpeg and the real egress proxy: a
// playlist is refused before any segment is fetched, a source that switches to a playlist after it was
// probed is not transcoded, a name rebound to loopback never reaches loopback, and a source that answers
// an HTTP error, a redirect or nothing fails its own job while the next job is planned.
import { randomUUID } from "node:crypto";
import { lookup } from "node:dns/promises";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobCommands } from "../commands/jobs/createJobCommands.ts";
import type { EventStore } from "../domain/ports/eventStore.ts";
import { createEgressProxy, type EgressProxy } from "../infra/egress/createEgressProxy.ts";
import { scriptedLookup } from "../infra/egress/scriptedLookup.ts";
import { createMemoryEventStore } from "../infra/eventstore/memory/memoryEventStore.ts";
import { builtInProfiles } from "../plugins/encoder-ffmpeg/builtInProfiles.ts";
import { createFfmpegEncoder } from "../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import type { EncoderPlugin } from "../plugins/sdk/encoderPlugin.ts";
import { jobStream } from "../schemas/events/streamNames.ts";
import { type FsMediaStorage, fsMediaStorage } from "../test/support/fsMediaStorage.ts";
import { type HostileSources, startHostileSources } from "../test/support/hostileSourceServer.ts";
import { makeTestClip } from "../test/support/makeTestClip.ts";
import { reactionContext } from "./reactionContext.ts";
import { type JobPlannerDeps, planSubmittedJob } from "./reactors/jobPlanner.ts";

const PUBLIC = "93.184.216.34";
// A name the system resolver maps to loopback (Debian lists the machine's own name in /etc/hosts):
// anything that resolves it again, instead of using what the guard checked, lands on loopback.
const REBOUND = hostname();

let dir: string;
let sources: HostileSources;
let egress: EgressProxy;
let encoder: EncoderPlugin;
let storage: FsMediaStorage;

const freshDeps = (): JobPlannerDeps & { store: EventStore } => {
  const remoteSources = {
    // The hostile server is on loopback: the tests allow it by the name they reach it by, never by address.
    allowHosts: ["localhost", "hostile.test"],
    lookup: scriptedLookup(
      JSON.stringify({ "hostile.test": ["127.0.0.1"], [REBOUND]: [PUBLIC, "127.0.0.1"] }),
    ),
  };
  egress = createEgressProxy(remoteSources);
  encoder = createFfmpegEncoder({ stateDir: join(dir, "state"), egress });
  const store = createMemoryEventStore();
  return {
    store,
    jobs: createJobCommands({ store, newId: randomUUID, now: () => new Date() }),
    encoder,
    storage,
    remoteSources,
  };
};

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
const unusedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

async function plan(deps: JobPlannerDeps & { store: EventStore }, sourceUrl: string) {
  const jobId = randomUUID();
  await deps.jobs.execute(
    jobId,
    {
      type: "SubmitJob",
      data: { jobId, userId: "u", sourceType: "url", sourceUrl, profileId: "480p_fast", outputConfig: {} },
    },
    reactionContext({ id: randomUUID() }),
  );
  const [submitted] = await deps.store.readStream(jobStream.name(jobId));
  await planSubmittedJob(deps, submitted!);
  const events = await deps.store.readStream(jobStream.name(jobId));
  return {
    types: events.map((e) => e.type),
    last: events.at(-1)?.data as { code?: string; message?: string },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-remote-"));
  await mkdir(join(dir, "media"));
  storage = await fsMediaStorage({ mediaRoot: join(dir, "media"), storageRoot: join(dir, "storage") });
  const clip = await makeTestClip(dir, "clip.mp4", { durationSec: 1, faststart: true });
  const segment = await makeTestClip(dir, "seg.ts", { durationSec: 1, container: "mpegts" });
  sources = await startHostileSources({ clip, segment, segmentHost: "localhost" });
}, 60_000);

afterAll(async () => {
  await storage?.close();
  await egress?.close();
  await sources?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("remote sources through the egress proxy", () => {
  const at = (path: string) => `http://localhost:${sources.port}${path}`;

  it("plans a served mp4, also by a name only the platform's resolver knows: ffmpeg resolves nothing itself", async () => {
    const deps = freshDeps();
    expect((await plan(deps, at("/clip.mp4"))).types.at(-1)).toBe("TaskScheduled");
    const byName = await plan(deps, `http://hostile.test:${sources.port}/clip.mp4`);
    expect(byName.types.at(-1)).toBe("TaskScheduled");
    await egress.close();
  });

  it("refuses a remote or local playlist before a single segment is fetched: WE-JOB-007", async () => {
    const deps = freshDeps();
    await writeFile(
      join(dir, "media", "local.m3u8"),
      `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n${at("/seg.ts")}\n#EXT-X-ENDLIST\n`,
    );
    for (const url of [at("/playlist.m3u8"), "fs://local.m3u8"]) {
      const { types, last } = await plan(deps, url);
      expect(types).toEqual(["JobSubmitted", "JobFailed"]);
      expect(last).toMatchObject({
        code: "WE-JOB-007",
        message: expect.stringMatching(/not a single media file/),
      });
    }
    expect(sources.hits("/playlist.m3u8")).toBe(1);
    expect(sources.hits("/seg.ts")).toBe(0);
    await egress.close();
  });

  it("an mp4 when probed, a playlist when encoded: the encode is refused and no segment is fetched", async () => {
    freshDeps();
    const probed = await encoder.probe(at("/bait.mp4"));
    expect(probed).toMatchObject({ _tag: "SourceInfo" });
    if (probed._tag !== "SourceInfo") return;
    const encodePlan = await encoder.plan(builtInProfiles["480p_fast"], probed);
    const outcome = await encoder.encode(encodePlan, { workDir: join(dir, "work"), attemptId: "1" });
    expect(outcome).toMatchObject({ _tag: "EncodeFailed", exitClass: "input" });
    // and the worker's own probe, by the same allow-list
    expect(await encoder.probe(at("/bait.mp4"))).toMatchObject({ _tag: "ProbeFailure", reason: "not_media" });
    expect(sources.hits("/bait.mp4")).toBe(3);
    expect(sources.hits("/seg.ts")).toBe(0);
    await egress.close();
  });

  it("a name checked as public and resolved to loopback afterwards never reaches loopback: WE-JOB-002", async () => {
    const system = await lookup(REBOUND);
    expect(system.address, "precondition: the system resolves this name to loopback").toMatch(/^127\./);
    const deps = freshDeps();
    const { types, last } = await plan(deps, `http://${REBOUND}:${sources.internalPort}/clip.mp4`);
    expect(types).toEqual(["JobSubmitted", "JobFailed"]);
    expect(last).toMatchObject({ code: "WE-JOB-002", message: expect.stringMatching(/loopback/) });
    expect(sources.internalHits()).toBe(0);
    await egress.close();
  });

  it("403, 500, a redirect to loopback and a refused connection fail their own job with WE-JOB-002; the next job is planned", async () => {
    const deps = freshDeps();
    const refused = await unusedPort();
    const cases: [string, RegExp][] = [
      [at("/forbidden"), /403/],
      [at("/broken"), /500/],
      [at("/to-internal"), /redirect/],
      [`http://localhost:${refused}/clip.mp4`, /cannot be reached/],
    ];
    for (const [url, why] of cases) {
      const { types, last } = await plan(deps, url);
      expect(types, url).toEqual(["JobSubmitted", "JobFailed"]);
      expect(last, url).toMatchObject({ code: "WE-JOB-002", message: expect.stringMatching(why) });
      expect(last?.message, url).toMatch(/Check that the URL|Submit the URL/);
    }
    expect(sources.internalHits()).toBe(0);
    expect((await plan(deps, at("/clip.mp4"))).types.at(-1)).toBe("TaskScheduled");
    await egress.close();
  });
});
