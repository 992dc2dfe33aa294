// The plan of a job whose source has audio and no video (a podcast, music): the audio encoded once, as
// the profile's audio codec and container say, and an audio-only package over it (HLS, DASH or both, as
// the profile's packaging asks) when the profile packages. The profile's video settings, ladder and thumbnails have nothing to work on and are left out.
import type { PlannedTask } from "../../schemas/events/jobEvents.ts";
import type { ProfileSpec } from "../../schemas/profiles/profileSpec.ts";

type Packaging = NonNullable<ProfileSpec["packaging"]>;

import { taskIdOf } from "../taskIdOf.ts";

/** Why an audio-only source cannot be encoded with a profile. */
export interface NoAudioOutput {
  readonly _tag: "NoAudioOutput";
  readonly message: string;
}

export function planAudioOnlyTasks(
  jobId: string,
  spec:
    | {
        readonly audio: object | null;
        readonly packaging: Pick<Packaging, "hls" | "dash" | "encryption"> | null;
      }
    | undefined,
  durationSec: number,
): PlannedTask[] | NoAudioOutput {
  if (spec !== undefined && spec.audio === null) {
    return {
      _tag: "NoAudioOutput",
      message:
        "The source has audio and no video, and the job's profile makes no audio (its audio is null). Submit it with a profile that encodes audio.",
    };
  }
  const whole = { startTimeSec: 0, endTimeSec: durationSec };
  const audioId = taskIdOf(jobId, 0);
  const tasks: PlannedTask[] = [
    { taskId: audioId, sequenceIndex: 0, ...whole, kind: "audio", dependsOn: [] },
  ];
  // DASH is left out of an encrypted package (its segments are for HLS players): then HLS alone packages
  const packaging = spec?.packaging;
  if (packaging?.hls === true || (packaging?.dash === true && packaging.encryption === "none")) {
    tasks.push({
      taskId: taskIdOf(jobId, 1),
      sequenceIndex: 1,
      ...whole,
      kind: "package",
      dependsOn: [audioId],
    });
  }
  return tasks;
}
