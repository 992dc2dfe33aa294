// MediaMTX's HTTP auth hook (authMethod: http) posts each publish, read and API access as JSON; this
// turns one into what the engine asks its host, or a reader's claim to check.
import type { IngestProtocol } from "../sdk/liveEngine.ts";

export type MediamtxAccess =
  | {
      readonly _tag: "Publish";
      readonly protocol: IngestProtocol;
      readonly path: string;
      /** The path's name below `live/`: the stream key. */
      readonly streamKey: string;
      readonly remoteAddress: string;
    }
  | { readonly _tag: "Read"; readonly path: string; readonly user: string; readonly password: string }
  /** Anything else (API, metrics, playback, another protocol or app): refused. */
  | { readonly _tag: "Other"; readonly why: string };

const text = (value: unknown): string => (typeof value === "string" ? value : "");

export function mediamtxAccess(body: unknown): MediamtxAccess {
  if (typeof body !== "object" || body === null) return { _tag: "Other", why: "not a JSON object" };
  const request = body as Record<string, unknown>;
  const path = text(request.path).replace(/^\/+/, "");
  const action = text(request.action);
  if (action === "read") {
    return { _tag: "Read", path, user: text(request.user), password: text(request.password) };
  }
  if (action !== "publish") return { _tag: "Other", why: `action ${action || "(none)"}` };
  const protocol = text(request.protocol);
  if (protocol !== "rtmp" && protocol !== "srt") return { _tag: "Other", why: `protocol ${protocol}` };
  const match = /^live\/([A-Za-z0-9_-]+)$/.exec(path);
  if (match?.[1] === undefined) return { _tag: "Other", why: "publish outside live/{key}" };
  return { _tag: "Publish", protocol, path, streamKey: match[1], remoteAddress: text(request.ip) };
}
