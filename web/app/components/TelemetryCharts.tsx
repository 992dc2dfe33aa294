// A live stream's sampled series as two charts that move each second: video and audio bitrate, and
// frame rate with dropped frames.
import { useTranslation } from "react-i18next";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TelemetrySample } from "../lib/apiTypes.ts";
import { Card, CardContent, CardHeader, CardTitle } from "./ui/card.tsx";

const AXIS = { fontSize: 11, fill: "var(--muted-foreground)" };
const TOOLTIP = {
  contentStyle: {
    background: "var(--card)",
    border: "1px solid var(--border)",
    borderRadius: 6,
    fontSize: 12,
  },
  labelStyle: { color: "var(--foreground)" },
};
/** The last two minutes: enough to see a trend, few enough points to draw each second. */
const SHOWN_POINTS = 120;

export function TelemetryCharts({ series }: { series: readonly TelemetrySample[] }) {
  const { t, i18n } = useTranslation();
  const time = new Intl.DateTimeFormat(i18n.language, { timeStyle: "medium" });
  const rows = series.slice(-SHOWN_POINTS).map((sample) => ({
    at: time.format(new Date(sample.at)),
    video: Math.round(sample.video_bitrate_kbps),
    audio: Math.round(sample.audio_bitrate_kbps),
    fps: Math.round(sample.fps * 100) / 100,
    dropped: sample.dropped_frames,
  }));
  const last = series.at(-1)?.at ?? "";

  return (
    <div className="grid gap-6 lg:grid-cols-2" data-testid="telemetry-charts">
      <Card>
        <CardHeader>
          <CardTitle id="chart-bitrate">{t("live.bitrateChart")}</CardTitle>
          <span className="text-xs text-muted-foreground tabular-nums">kb/s</span>
        </CardHeader>
        <CardContent>
          <figure
            aria-labelledby="chart-bitrate"
            className="h-56"
            data-testid="bitrate-chart"
            data-points={rows.length}
            data-last-at={last}
          >
            {rows.length === 0 ? (
              <p className="grid h-full place-items-center text-sm text-muted-foreground">
                {t("live.noSamples")}
              </p>
            ) : (
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: -8 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
                  <XAxis dataKey="at" tick={AXIS} minTickGap={40} />
                  <YAxis tick={AXIS} />
                  <Tooltip {...TOOLTIP} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Line
                    isAnimationActive={false}
                    type="monotone"
                    dataKey="video"
                    name={t("live.videoBitrate")}
                    stroke="var(--primary)"
                    dot={false}
                    strokeWidth={2}
                  />
                  <Line
                    isAnimationActive={false}
                    type="monotone"
                    dataKey="audio"
                    name={t("live.audioBitrate")}
                    stroke="var(--success)"
                    dot={false}
                    strokeWidth={2}
                  />
                </LineChart>
              </ResponsiveContainer>
            )}
          </figure>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle id="chart-fps">{t("live.fpsChart")}</CardTitle>
        </CardHeader>
        <CardContent>
          <figure
            aria-labelledby="chart-fps"
            className="h-56"
            data-testid="fps-chart"
            data-points={rows.length}
          >
            {rows.length === 0 ? (
              <p className="grid h-full place-items-center text-sm text-muted-foreground">
                {t("live.noSamples")}
              </p>
            ) : (
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: -8 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
                  <XAxis dataKey="at" tick={AXIS} minTickGap={40} />
                  <YAxis yAxisId="fps" tick={AXIS} />
                  <YAxis yAxisId="dropped" orientation="right" allowDecimals={false} tick={AXIS} />
                  <Tooltip {...TOOLTIP} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Line
                    yAxisId="fps"
                    isAnimationActive={false}
                    type="monotone"
                    dataKey="fps"
                    name={t("live.fps")}
                    stroke="var(--primary)"
                    dot={false}
                    strokeWidth={2}
                  />
                  <Line
                    yAxisId="dropped"
                    isAnimationActive={false}
                    type="stepAfter"
                    dataKey="dropped"
                    name={t("live.droppedFrames")}
                    stroke="var(--destructive)"
                    dot={false}
                  />
                </LineChart>
              </ResponsiveContainer>
            )}
          </figure>
        </CardContent>
      </Card>
    </div>
  );
}
