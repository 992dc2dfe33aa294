import { z } from "zod";

/** An ISO 8601 instant as the API writes it: from the read models with an offset, else in UTC. */
export const apiTimestampSchema = z.iso.datetime({ offset: true });
