// The profile API through a real kernel (no workers: jobs stay queued or processing): create, read,
// replace, delete; 400s that name the field; 409s; deleting a profile in use; the snapshot a job keeps;
// built-ins seeded once however many kernels start.
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtInProfiles } from "../../domain/profile/builtInProfiles.ts";
import { openDatabase, type PlatformDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig, type PlatformConfig } from "../../infra/platform/platformConfig.ts";
import { type Kernel, startKernel } from "../../infra/platform/startKernel.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import { toProfileDocument } from "../../schemas/api/profileDocument.ts";
import type { ListProfilesResponse, ProfileDetail } from "../../schemas/api/profileResponses.ts";
import { jobStream, profileStream } from "../../schemas/events/streamNames.ts";
import { kernelApi, until } from "../../test/support/kernelApi.ts";
import { makeClip } from "../../test/support/mediaClip.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let dir: string;
let config: PlatformConfig;
let headers: Record<string, string>;
let operatorHeaders: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-profiles-"));
  await chmod(dir, 0o755);
  const mediaDir = join(dir, "media");
  await mkdir(mediaDir);
  await makeClip(join(mediaDir, "short.mp4"), { seconds: 1, width: 160, height: 120 });
  database = await createTestDatabase("profile_api");
  config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": mediaDir }, {});
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});
  const system = { userId: "system", role: "system" } as const;
  const admin = await kernel.tokens.issue({ name: "admin", role: "admin" }, system);
  const operator = await kernel.tokens.issue({ name: "operator", role: "operator" }, system);
  if (admin._tag !== "Issued" || operator._tag !== "Issued") throw new Error("no tokens");
  headers = { authorization: `Bearer ${admin.token}`, "content-type": "application/json" };
  operatorHeaders = { ...headers, authorization: `Bearer ${operator.token}` };
}, 60_000);
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const api = kernelApi(
  () => kernel.url,
  () => headers,
);
const asOperator = kernelApi(
  () => kernel.url,
  () => operatorHeaders,
);

type ErrorAnswer = { error: { code: string; details: string } };

const twoTiers = () => {
  const document = toProfileDocument(builtInProfiles.hls_abr_3tier!);
  return { ...document, name: "Web ladder", ladder: document.ladder.slice(1) };
};

/** The profile once the read model has the write that answered with `position`. */
const readProfile = (id: string) => api<ProfileDetail>("GET", `/v1/profiles/${id}`);
const settled = async (id: string, revision: number) =>
  until(
    () => readProfile(id),
    (answer) => answer.status === 200 && answer.body.revision === revision,
    `profile ${id} at revision ${revision}`,
    10_000,
  );

async function submittedProfileOf(jobId: string) {
  const [submitted] = await db.store.readStream(jobStream.name(jobId));
  expect(submitted?.type).toBe("JobSubmitted");
  return (submitted?.data as { profile?: { video: { bitrateKbps: number } } }).profile;
}

describe("profile API", () => {
  it("lists the seven built-ins, each whole by id", async () => {
    const list = await until(
      () => api<ListProfilesResponse>("GET", "/v1/profiles"),
      (answer) => answer.body.profiles?.length === 7,
      "seven built-in profiles",
      10_000,
    );
    expect(list.body.profiles.map((p) => p.id).sort()).toEqual(Object.keys(builtInProfiles).sort());
    expect(list.body.profiles.find((p) => p.id === "hls_abr_3tier")).toMatchObject({
      name: "HLS/DASH ABR, 3 tiers",
      codec: "h264",
      bitrate_kbps: 5000,
      max_width: 1920,
      max_height: 1080,
      container: "mp4",
      tier_count: 3,
      built_in: true,
      updated_at: expect.any(String),
    });
    const vp9 = await readProfile("720p_vp9");
    expect(vp9.status).toBe(200);
    expect(vp9.body).toMatchObject({
      id: "720p_vp9",
      ...toProfileDocument(builtInProfiles["720p_vp9"]!),
      built_in: true,
      revision: 0,
    });
  });

  it("creates, reads, replaces and deletes a profile; only admins write", async () => {
    const created = await api<{ id: string; revision: number }>("POST", "/v1/profiles", {
      id: "web_ladder",
      ...twoTiers(),
    });
    expect(created).toEqual({ status: 201, body: { id: "web_ladder", revision: 0 } });
    const read = await settled("web_ladder", 0);
    expect(read.body).toMatchObject({ id: "web_ladder", ...twoTiers(), built_in: false });

    const edited = { ...twoTiers(), description: "for the web site" };
    const replaced = await api("PUT", "/v1/profiles/web_ladder", { ...edited, revision: 0 });
    expect(replaced).toEqual({ status: 200, body: { id: "web_ladder", revision: 1 } });
    expect((await settled("web_ladder", 1)).body).toMatchObject({ description: "for the web site" });

    // an editor holding revision 0 has missed the edit
    const stale = await api<ErrorAnswer>("PUT", "/v1/profiles/web_ladder", { ...twoTiers(), revision: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("WE-JOB-016");

    expect((await asOperator<ErrorAnswer>("POST", "/v1/profiles", { id: "x", ...twoTiers() })).status).toBe(
      403,
    );
    expect((await asOperator<ErrorAnswer>("DELETE", "/v1/profiles/web_ladder")).status).toBe(403);

    const deleted = await fetch(`${kernel.url}/v1/profiles/web_ladder`, { method: "DELETE", headers });
    expect(deleted.status).toBe(204);
    await until(
      () => readProfile("web_ladder"),
      (a) => a.status === 404,
      "the profile gone",
      10_000,
    );
    for (const [method, body] of [
      ["PUT", twoTiers()],
      ["DELETE", undefined],
    ] as const) {
      const missing = await api<ErrorAnswer>(method, "/v1/profiles/web_ladder", body);
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe("WE-JOB-014");
    }
    // its id is free again
    expect((await api("POST", "/v1/profiles", { id: "web_ladder", ...twoTiers() })).status).toBe(201);
  });

  it("refuses an id that exists (409) and invalid documents (400 naming the field)", async () => {
    const taken = await api<ErrorAnswer>("POST", "/v1/profiles", { id: "720p_h264", ...twoTiers() });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("WE-JOB-015");

    const valid = twoTiers();
    const cases: [unknown, RegExp][] = [
      // the validator's cross-field rules
      [{ ...valid, video: { ...valid.video, maxrate_kbps: 4000 } }, /video\.maxrate_kbps/],
      [{ ...valid, ladder: [...valid.ladder].reverse() }, /ladder\.1\.max_height/],
      [{ ...valid, container: "webm" }, /video\.codec.*audio\.codec/],
      [
        { ...valid, packaging: { ...valid.packaging!, hls: false, encryption: "aes-128" } },
        /packaging\.encryption/,
      ],
      [{ ...valid, video: { ...valid.video, preset: "14" } }, /video\.preset/],
      // the schema's, named as the API spells them
      [{ ...valid, video: { ...valid.video, bitrate_kbps: -1 } }, /video\.bitrate_kbps/],
      [{ ...valid, ladder: [{ ...valid.ladder[0]!, max_height: "tall" }] }, /ladder\.0\.max_height/],
      [{ ...valid, video: { ...valid.video, maxWidth: 640 } }, /maxWidth/],
    ];
    for (const [document, field] of cases) {
      const answer = await api<ErrorAnswer>("POST", "/v1/profiles", {
        id: "bad_one",
        ...(document as object),
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error.code).toBe("WE-JOB-003");
      expect(answer.body.error.details).toMatch(field);
    }
    const put = await api<ErrorAnswer>("PUT", "/v1/profiles/480p_fast", {
      ...toProfileDocument(builtInProfiles["480p_fast"]!),
      audio: { codec: "aac", bitrate_kbps: 96, sample_rate: 22_050, channels: 2 },
    });
    expect(put.status).toBe(400);
    expect(put.body.error.details).toMatch(/audio\.sample_rate/);
    expect((await api<ErrorAnswer>("GET", "/v1/profiles/bad_one")).status).toBe(404);
  });

  it("keeps a job's snapshot when its profile is edited, reuses it on retry, and refuses to delete a profile in use", async () => {
    expect((await api("POST", "/v1/profiles", { id: "snap", ...twoTiers() })).status).toBe(201);
    const submitted = await asOperator<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://short.mp4",
      profile: "snap",
    });
    expect(submitted.status).toBe(201);
    const jobId = submitted.body.id;
    expect(await submittedProfileOf(jobId)).toMatchObject({
      name: "Web ladder",
      video: { bitrateKbps: 5000 },
    });

    const faster = { ...twoTiers(), video: { ...twoTiers().video, bitrate_kbps: 5400 } };
    expect((await api("PUT", "/v1/profiles/snap", faster)).status).toBe(200);
    expect(await submittedProfileOf(jobId)).toMatchObject({ video: { bitrateKbps: 5000 } });

    // the jobs read model sees the job queued or processing: the profile stays
    await until(
      () => api<{ status: string }>("GET", `/v1/jobs/${jobId}`),
      (answer) => answer.status === 200,
      "the job in the read model",
      10_000,
    );
    const refused = await api<ErrorAnswer>("DELETE", "/v1/profiles/snap");
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("WE-JOB-013");
    expect(refused.body.error.details).toContain(jobId);

    expect((await asOperator("POST", `/v1/jobs/${jobId}/cancel`, {})).status).toBe(200);
    const retried = await asOperator<{ id: string }>("POST", `/v1/jobs/${jobId}/retry`, {});
    expect(retried.status).toBe(201);
    expect(await submittedProfileOf(retried.body.id)).toMatchObject({ video: { bitrateKbps: 5000 } });
    expect((await asOperator("POST", `/v1/jobs/${retried.body.id}/cancel`, {})).status).toBe(200);

    // a new job takes the profile as it is now
    const later = await asOperator<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://short.mp4",
      profile: "snap",
    });
    expect(await submittedProfileOf(later.body.id)).toMatchObject({ video: { bitrateKbps: 5400 } });
    expect((await asOperator("POST", `/v1/jobs/${later.body.id}/cancel`, {})).status).toBe(200);

    // once no job runs with it, it goes
    const gone = await until(
      () => fetch(`${kernel.url}/v1/profiles/snap`, { method: "DELETE", headers }),
      (response) => response.status === 204,
      "the profile deleted once its jobs are cancelled",
      10_000,
    );
    expect(gone.status).toBe(204);
    const unknown = await asOperator<ErrorAnswer>("POST", "/v1/jobs", {
      source_url: "fs://short.mp4",
      profile: "snap",
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("WE-JOB-003");
  });

  it("seeds the built-ins once across kernel starts, and keeps a user's edit or delete of one", async () => {
    const edited = { ...toProfileDocument(builtInProfiles["480p_fast"]!), description: "ours now" };
    expect((await api("PUT", "/v1/profiles/480p_fast", edited)).status).toBe(200);
    expect((await fetch(`${kernel.url}/v1/profiles/1080p_av1`, { method: "DELETE", headers })).status).toBe(
      204,
    );

    // a second kernel on the same database, at the same time, then the first one restarted
    const second = await startKernel(
      config,
      db,
      createMemoryWorkQueue(),
      createMemoryProgressBus(),
      () => {},
    );
    await second.stop();
    await kernel.stop();
    kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});

    for (const id of Object.keys(builtInProfiles)) {
      const events = await db.store.readStream(profileStream.name(id));
      const expected = id === "480p_fast" || id === "1080p_av1" ? 2 : 1;
      expect(
        events.map((e) => e.type),
        id,
      ).toHaveLength(expected);
      expect(events[0]?.type).toBe("ProfileCreated");
    }
    expect((await settled("480p_fast", 1)).body).toMatchObject({ description: "ours now", built_in: true });
    expect((await api("GET", "/v1/profiles/1080p_av1")).status).toBe(404);
  });
});
