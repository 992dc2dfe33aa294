// Plays a completed job's result on its page: the HLS package through hls.js (or the browser's own HLS),
// else its progressive file; a seek bar shows the storyboard's thumbnail under the pointer, and the
// thumbnails sit below it.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { JobOutput } from "../lib/apiTypes.ts";
import { cueAt, parseStoryboard } from "../lib/storyboard.ts";
import { Card, CardContent, CardHeader, CardTitle } from "./ui/card.tsx";

const playable = (output: JobOutput) => /\.(mp4|webm|mkv|m4a)$/i.test(output.name);

export function JobPlayer({ outputs }: { outputs: readonly JobOutput[] }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [duration, setDuration] = useState(0);
  const [current, setCurrent] = useState(0);
  const [hover, setHover] = useState<{ timeSec: number; left: number } | null>(null);
  const master = outputs.find((o) => o.type === "manifest" && o.name.endsWith(".m3u8"));
  const file = outputs.find((o) => (o.type === "final" || o.type === "rendition") && playable(o));
  const storyboardVtt = outputs.find((o) => o.type === "storyboard" && o.name.endsWith(".vtt"));
  const thumbnails = outputs.filter((o) => o.type === "thumbnail");
  const storyboard = useQuery({
    queryKey: ["storyboard", storyboardVtt?.download_url],
    enabled: storyboardVtt !== undefined,
    queryFn: async () => {
      const url = storyboardVtt!.download_url;
      return parseStoryboard(await (await fetch(url)).text(), url);
    },
  });

  useEffect(() => {
    const element = video.current;
    if (!element || !master) return;
    if (element.canPlayType("application/vnd.apple.mpegurl")) {
      element.src = master.download_url;
      return;
    }
    let destroyed = false;
    let hls: { destroy(): void } | undefined;
    void import("hls.js").then(({ default: Hls }) => {
      if (destroyed || !Hls.isSupported()) return;
      const player = new Hls();
      hls = player;
      player.on(Hls.Events.ERROR, (_event, data) => {
        if (data.fatal) setError(`${data.type}: ${data.details}`);
      });
      player.loadSource(master.download_url);
      player.attachMedia(element);
    });
    return () => {
      destroyed = true;
      hls?.destroy();
    };
  }, [master]);

  if (!master && !file) return null;
  const preview = hover && storyboard.data ? cueAt(storyboard.data, hover.timeSec) : undefined;
  const seekTo = (clientX: number, bar: HTMLElement) => {
    const box = bar.getBoundingClientRect();
    const share = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    return { timeSec: share * duration, left: clientX - box.left };
  };

  return (
    <Card className="lg:col-span-3" data-testid="job-player">
      <CardHeader>
        <CardTitle>{t("job.player")}</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <video
          ref={video}
          controls
          playsInline
          className="aspect-video w-full rounded-md bg-black"
          data-testid="job-video"
          {...(master ? {} : { src: file?.download_url })}
          poster={thumbnails[0]?.download_url}
          onLoadedMetadata={(event) => setDuration(event.currentTarget.duration)}
          onTimeUpdate={(event) => setCurrent(event.currentTarget.currentTime)}
          onError={(event) => setError(event.currentTarget.error?.message ?? "the video cannot be played")}
        />
        {error && (
          <p role="alert" className="text-sm text-destructive">
            {error}
          </p>
        )}
        {duration > 0 && (
          <div
            role="slider"
            tabIndex={0}
            aria-label={t("job.seek")}
            aria-valuemin={0}
            aria-valuemax={Math.round(duration)}
            aria-valuenow={Math.round(current)}
            data-testid="storyboard-seek"
            className="relative h-3 cursor-pointer rounded-full bg-muted"
            onMouseMove={(event) => setHover(seekTo(event.clientX, event.currentTarget))}
            onMouseLeave={() => setHover(null)}
            onClick={(event) => {
              if (video.current)
                video.current.currentTime = seekTo(event.clientX, event.currentTarget).timeSec;
            }}
            onKeyDown={(event) => {
              const step = event.key === "ArrowRight" ? 5 : event.key === "ArrowLeft" ? -5 : 0;
              if (step !== 0 && video.current) video.current.currentTime = Math.max(0, current + step);
            }}
          >
            <div
              className="h-full rounded-full bg-primary"
              style={{ width: `${(100 * current) / duration}%` }}
            />
            {preview && hover && (
              <div
                data-testid="storyboard-preview"
                className="pointer-events-none absolute bottom-5 -translate-x-1/2 rounded border border-border shadow"
                style={{
                  left: hover.left,
                  width: preview.width,
                  height: preview.height,
                  backgroundImage: `url("${preview.image}")`,
                  backgroundPosition: `-${preview.x}px -${preview.y}px`,
                }}
              />
            )}
          </div>
        )}
        {thumbnails.length > 0 && (
          <div className="flex gap-2 overflow-x-auto" data-testid="job-thumbnails">
            {thumbnails.slice(0, 24).map((thumbnail) => (
              <img
                key={thumbnail.name}
                src={thumbnail.download_url}
                alt={thumbnail.name}
                loading="lazy"
                className="h-16 rounded border border-border"
              />
            ))}
          </div>
        )}
      </CardContent>
    </Card>
  );
}
