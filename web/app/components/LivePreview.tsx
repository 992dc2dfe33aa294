// The live preview: the session's HLS playlist through hls.js (else the browser's own HLS), muted so it
// may start on its own; the playlist appears a few seconds after the publisher starts, so it retries.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

const RETRY_MS = 2_000;

/** `live` without a `url`: the stream is on air but its live engine gives no preview. */
export function LivePreview({ url, live }: { url: string | null; live: boolean }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [waiting, setWaiting] = useState(true);

  useEffect(() => {
    const element = video.current;
    setWaiting(true);
    if (!element || !url) return;
    let destroyed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let hls: { destroy(): void } | undefined;
    // the browser's own HLS (Safari, recent Chromium) where hls.js cannot run: it gives up on an error, so
    // the playlist is asked for again in a moment
    const playNatively = () => {
      const again = () => {
        clearTimeout(retry);
        retry = setTimeout(() => {
          if (destroyed) return;
          element.src = url;
          void element.play().catch(() => undefined);
        }, RETRY_MS);
      };
      element.addEventListener("error", again);
      element.src = url;
      return () => element.removeEventListener("error", again);
    };
    let stopNative: (() => void) | undefined;
    void import("hls.js").then(({ default: Hls }) => {
      if (destroyed) return;
      if (!Hls.isSupported()) {
        if (element.canPlayType("application/vnd.apple.mpegurl")) stopNative = playNatively();
        return;
      }
      const start = () => {
        if (destroyed) return;
        const player = new Hls({ liveSyncDurationCount: 2 });
        hls = player;
        player.on(Hls.Events.MANIFEST_PARSED, () => {
          void element.play().catch(() => undefined);
        });
        player.on(Hls.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          // the playlist is not written yet, or the session moved on: start over in a moment
          player.destroy();
          retry = setTimeout(start, RETRY_MS);
        });
        player.loadSource(url);
        player.attachMedia(element);
      };
      start();
    });
    return () => {
      destroyed = true;
      clearTimeout(retry);
      hls?.destroy();
      stopNative?.();
    };
  }, [url]);

  return (
    <div className="relative">
      <video
        ref={video}
        muted
        autoPlay
        controls
        playsInline
        className="aspect-video w-full rounded-md bg-black"
        data-testid="live-preview"
        // the note goes once pictures move, and stays away through a reload of the playlist
        onPlaying={() => setWaiting(false)}
        aria-label={t("live.preview")}
      />
      {(waiting || !url) && (
        <p className="pointer-events-none absolute inset-0 grid place-items-center text-sm text-white/80">
          {url ? t("live.previewWaiting") : live ? t("live.previewUnavailable") : t("live.previewOffline")}
        </p>
      )}
    </div>
  );
}
