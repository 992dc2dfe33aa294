// A playlist in the media root must not become a way to read files outside it.

import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobCommands } from "../commands/jobs/createJobCommands.ts";
import { executeJobCommand } from "../commands/jobs/executeJobCommand.ts";
import { createMemoryEventStore } from "../infra/eventstore/memory/memoryEventStore.ts";
import { createFfmpegEncoder } from "../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import { jobStream } from "../schemas/events/streamNames.ts";
import { fsMediaStorage } from "../test/support/fsMediaStorage.ts";
import { reactionContext } from "./reactionContext.ts";
import { planSubmittedJob } from "./reactors/jobPlanner.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-playlist-"));
  await mkdir(join(dir, "media"));
  await mkdir(join(dir, "outside"));
  // a real segment outside the media root, and playlists inside it that point at it
  await promisify(execFile)("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=160x120:rate=10:duration=2",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-f",
    "mpegts",
    join(dir, "outside", "secret.ts"),
  ]);
  await writeFile(
    join(dir, "media", "list.m3u8"),
    `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${join(dir, "outside", "secret.ts")}\n#EXT-X-ENDLIST\n`,
  );
  await writeFile(join(dir, "media", "list.ffconcat"), `ffconcat version 1.0\nfile '../outside/secret.ts'\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("job planner and playlists", () => {
  for (const name of ["list.m3u8", "list.ffconcat"]) {
    it(`refuses ${name} pointing outside the media root: the job fails with WE-JOB-007 and nothing is planned`, async () => {
      const store = createMemoryEventStore();
      const deps = { store, newId: randomUUID, now: () => new Date() };
      const jobId = randomUUID();
      await executeJobCommand(
        deps,
        jobId,
        {
          type: "SubmitJob",
          data: {
            jobId,
            userId: "u",
            sourceType: "url",
            sourceUrl: `fs://${name}`,
            profileId: "480p_fast",
            outputConfig: {},
          },
        },
        reactionContext({ id: randomUUID() }),
      );
      const [submitted] = await store.readStream(jobStream.name(jobId));
      const encoder = createFfmpegEncoder({ stateDir: join(dir, "state") });
      const storage = await fsMediaStorage({
        mediaRoot: join(dir, "media"),
        storageRoot: join(dir, "storage"),
      });
      await planSubmittedJob({ jobs: createJobCommands(deps), encoder, storage }, submitted!);
      await storage.close();
      const events = await store.readStream(jobStream.name(jobId));
      expect(events.map((e) => e.type)).toEqual(["JobSubmitted", "JobFailed"]);
      expect(events[1]?.data).toMatchObject({ code: "WE-JOB-007" });
      expect((events[1]?.data as { message: string }).message).toMatch(
        name.endsWith(".m3u8") ? /not a single media file.*\[hls @/ : /not a single media file.*\[concat @/,
      );
    });
  }
});
