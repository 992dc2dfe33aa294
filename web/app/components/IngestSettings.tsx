// Where a streamer points OBS: RTMP (Server + Stream key) or SRT (one URL), chosen by a switch; the key
// and the SRT URL that carries it stay masked until revealed.
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import type { IngestUrls, StreamKeyResponse } from "../lib/apiTypes.ts";
import { maskKeyIn, maskStreamIdIn, maskStreamKey } from "../lib/maskStreamKey.ts";
import { type IngestProtocol, obsIngest } from "../lib/obsIngest.ts";
import { CopyField } from "./CopyField.tsx";
import { NativeSelect } from "./ui/input.tsx";
import { Label } from "./ui/label.tsx";

export type RevealedKey = Pick<StreamKeyResponse, "stream_key" | "ingest_urls">;

interface IngestSettingsProps {
  /** The URLs as the stream's page has them (the key masked, if the API masks it). */
  urls: IngestUrls;
  /** The key in clear with its URLs, when known (just created, or revealed). */
  revealed: RevealedKey | null;
  /** The key masked but for its last characters, as the API gives it. */
  keyHint: string;
  /** Asks the API for the clear key (operators); absent for those who may not see it. */
  reveal?: () => Promise<RevealedKey>;
}

export function IngestSettings({ urls, revealed, keyHint, reveal }: IngestSettingsProps) {
  const { t } = useTranslation();
  const protocolId = useId();
  // a platform whose RTMP port is taken still takes SRT: offer what it serves
  const [protocol, setProtocol] = useState<IngestProtocol>(
    urls.rtmp === null && urls.srt !== null ? "srt" : "rtmp",
  );
  const key = revealed?.stream_key ?? "";
  const rtmp = obsIngest(revealed?.ingest_urls ?? urls, "rtmp", key);
  const srt = revealed?.ingest_urls.srt ?? null;
  const served = protocol === "rtmp" ? rtmp !== null : urls.srt !== null;

  return (
    <div className="space-y-3" data-testid="ingest-settings">
      <div className="flex items-center gap-3">
        <Label htmlFor={protocolId} className="text-xs text-muted-foreground">
          {t("live.protocol")}
        </Label>
        <NativeSelect
          id={protocolId}
          value={protocol}
          onChange={(event) => setProtocol(event.target.value === "srt" ? "srt" : "rtmp")}
        >
          <option value="rtmp">RTMP</option>
          <option value="srt">SRT</option>
        </NativeSelect>
      </div>
      {!served ? (
        <p className="text-sm text-destructive" data-testid="ingest-unavailable">
          {t("live.ingestUnavailable", { protocol: protocol.toUpperCase() })}
        </p>
      ) : protocol === "rtmp" ? (
        <>
          <CopyField label={t("live.server")} value={rtmp?.server ?? null} testId="ingest-server" />
          <CopyField
            label={t("live.streamKey")}
            value={revealed?.stream_key ?? null}
            masked={revealed ? maskStreamKey(key) : keyHint}
            {...(reveal ? { reveal: async () => (await reveal()).stream_key } : {})}
            testId="stream-key"
          />
        </>
      ) : (
        <CopyField
          label={t("live.srtUrl")}
          value={srt}
          masked={srt ? maskKeyIn(srt, key) : maskStreamIdIn(urls.srt ?? "", keyHint)}
          {...(reveal ? { reveal: async () => (await reveal()).ingest_urls.srt ?? "" } : {})}
          testId="ingest-srt"
        />
      )}
      <p className="text-xs text-muted-foreground">
        {protocol === "rtmp" ? t("live.obsRtmpHint") : t("live.obsSrtHint")}
      </p>
    </div>
  );
}
