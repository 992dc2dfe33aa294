// A restream of one of our live streams through `webencode up`, to three real RTMP receivers: all three
// receive playable media; one receiver dies and the other two go on without a gap; it comes back and its
// destination reconnects and receives again; the stop leaves no ffmpeg of the restream behind.
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RestreamDetail, RestreamWrittenResponse } from "../../schemas/api/restreamResponses.ts";
import type { StreamDetail, StreamKeyResponse } from "../../schemas/api/streamResponses.ts";
import { kernelApi, until } from "../support/kernelApi.ts";
import { probe } from "../support/mediaClip.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";
import { publishTestStream } from "../support/publishTestStream.ts";
import {
  freeTcpPort,
  longestGap,
  type RtmpReceiver,
  startRtmpReceiver,
  videoPacketTimes,
} from "../support/rtmpReceiver.ts";

let dir: string;
let platform: PlatformProcess;
let token: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-restream-e2e-"));
  platform = await startPlatform(join(dir, "data"), join(dir, "media"));
  token = platform.adminToken!;
});

afterAll(async () => {
  await platform?.kill();
  await rm(dir, { recursive: true, force: true });
});

const api = kernelApi(
  () => platform.url,
  () => ({ authorization: `Bearer ${token}`, "content-type": "application/json" }),
);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The ffmpeg processes the platform runs (live recorders, restream stages), by pid. */
const platformFfmpegs = (): Set<number> => {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid=,comm="], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((row) => row.length === 3)
    .map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm: comm! }));
  const below = new Set([platform.child.pid!]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) {
      if (!below.has(row.pid) && below.has(row.ppid)) {
        below.add(row.pid);
        grew = true;
      }
    }
  }
  return new Set(rows.filter((row) => below.has(row.pid) && row.comm.includes("ffmpeg")).map((r) => r.pid));
};

describe("restreaming a live stream through webencode up", () => {
  it("fans out to three receivers, survives one dying, reconnects it, and stops clean", async () => {
    const stream = (await api<StreamKeyResponse>("POST", "/v1/streams", { title: "Main stage" })).body;
    const publisher = publishTestStream(`${stream.ingest_url}/${stream.stream_key}`, 60);
    const receivers: RtmpReceiver[] = [];
    try {
      await until(
        () => api<StreamDetail>("GET", `/v1/streams/${stream.id}`).then((a) => a.body.status),
        (status) => status === "live",
        "the stream live",
        20_000,
      );
      const ports = await Promise.all([freeTcpPort(), freeTcpPort(), freeTcpPort()]);
      receivers.push(...ports.map((port, i) => startRtmpReceiver(port, join(dir, `receiver-${i}.flv`))));
      const before = platformFfmpegs();

      const created = await api<RestreamWrittenResponse>("POST", "/v1/restreams", {
        title: "Main stage everywhere",
        input_type: "rtmp",
        stream_id: stream.id,
        output_destinations: receivers.map((receiver) => ({ platform: "custom", url: receiver.url })),
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      const detail = () => api<RestreamDetail>("GET", `/v1/restreams/${id}`).then((a) => a.body);
      // until the read model has it, the restream answers 404 without destinations
      const statuses = (d: RestreamDetail) =>
        d.output_destinations?.map((destination) => destination.status) ?? [];
      await until(detail, (d) => statuses(d).join() === "live,live,live", "three destinations live", 30_000);
      const running = [...platformFfmpegs()].filter((pid) => !before.has(pid));
      // the input stage only: the platform publishes to RTMP destinations itself, so no process of it has a
      // destination's key on its command line
      expect(running.length).toBe(1);
      const commandLines = [...platformFfmpegs()].map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8");
        } catch {
          return ""; // gone meanwhile
        }
      });
      expect(commandLines.join("\n")).not.toContain("stream-key-0001");
      await sleep(2000);
      // the receiver about to die has written some of what it received (ffmpeg buffers its file's writes)
      await until(
        async () => statSync(receivers[2]!.file, { throwIfNoEntry: false })?.size ?? 0,
        (size) => size > 0,
        "the third receiver recording",
        10_000,
      );

      // one receiver dies; the others carry on
      const lostAt = Date.now();
      await receivers[2]!.kill();
      await until(detail, (d) => statuses(d)[2] !== "live", "the lost destination noticed", 20_000);
      expect(statuses(await detail()).slice(0, 2)).toEqual(["live", "live"]);
      await sleep(2000);

      // it comes back on the same address
      const back = startRtmpReceiver(ports[2]!, join(dir, "receiver-2-again.flv"));
      receivers.push(back);
      await until(detail, (d) => statuses(d)[2] === "live", "the lost destination live again", 30_000);
      await sleep(3000);
      const window = (Date.now() - lostAt) / 1000;

      const stopped = await api<RestreamWrittenResponse>("POST", `/v1/restreams/${id}/stop`);
      expect(stopped.status).toBe(200);
      await until(detail, (d) => d.status === "stopped", "the restream stopped", 20_000);
      await until(
        async () => [...platformFfmpegs()].filter((pid) => !before.has(pid)),
        (left) => left.length === 0,
        "no ffmpeg of the restream left",
        20_000,
      );
      await Promise.all(receivers.map((receiver) => receiver.close()));

      for (const file of [0, 1, 2].map((i) => join(dir, `receiver-${i}.flv`)).concat(back.file)) {
        const media = await probe(file);
        expect(media.video?.codec, file).toBe("h264");
        expect(media.audio, file).toEqual({ codec: "aac" });
      }
      for (const survivor of receivers.slice(0, 2)) {
        const times = await videoPacketTimes(survivor.file);
        expect(longestGap(times), survivor.file).toBeLessThan(0.5);
        // the survivors' timeline covers the whole time the third one was away, and more
        expect(times.at(-1)! - times[0]!, survivor.file).toBeGreaterThan(window);
      }
      expect((await videoPacketTimes(back.file)).length).toBeGreaterThan(25);
    } finally {
      publisher.child.kill("SIGKILL");
      await publisher.exit;
      await Promise.all(receivers.map((receiver) => receiver.close()));
    }
  });
});
