import { errorsProjector } from "./errors/errorsProjector.ts";
import { jobsProjector } from "./jobs/jobsProjector.ts";
import { profilesProjector } from "./profiles/profilesProjector.ts";
import type { Projector } from "./projector.ts";
import { restreamsProjector } from "./restreams/restreamsProjector.ts";
import { streamsProjector } from "./streams/streamsProjector.ts";
import { tokensProjector } from "./tokens/tokensProjector.ts";
import { workersProjector } from "./workers/workersProjector.ts";

/** Every projector the platform runs; reactors (dispatcher, webhooks) are not projectors. */
export const allProjectors: readonly Projector[] = [
  jobsProjector,
  tokensProjector,
  workersProjector,
  errorsProjector,
  profilesProjector,
  streamsProjector,
  restreamsProjector,
];
