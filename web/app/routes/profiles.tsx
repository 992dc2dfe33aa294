import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { PageHeader } from "../components/PageHeader.tsx";
import { Badge } from "../components/ui/badge.tsx";
import { Card } from "../components/ui/card.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { apiFetch } from "../lib/apiFetch.ts";
import type { Profile } from "../lib/apiTypes.ts";

/** Read-only until the outputs capability brings the profile editor. */
export default function Profiles() {
  const { t } = useTranslation();
  const profiles = useQuery({
    queryKey: ["profiles"],
    queryFn: () => apiFetch<{ profiles: Profile[] }>("/v1/profiles"),
  });
  return (
    <>
      <PageHeader title={t("profiles.title")} />
      <Card>
        <Table>
          <thead>
            <tr>
              <TableHead>{t("profiles.id")}</TableHead>
              <TableHead>{t("profiles.container")}</TableHead>
              <TableHead>{t("profiles.video")}</TableHead>
              <TableHead>{t("profiles.maxSize")}</TableHead>
              <TableHead>{t("profiles.bitrate")}</TableHead>
              <TableHead>{t("profiles.audio")}</TableHead>
            </tr>
          </thead>
          <tbody>
            {profiles.data?.profiles.map((profile) => (
              <tr key={profile.id}>
                <TableCell className="font-medium">{profile.id}</TableCell>
                <TableCell>
                  <Badge>{profile.container}</Badge>
                </TableCell>
                <TableCell>{profile.codec}</TableCell>
                <TableCell className="tabular-nums">
                  {profile.max_width}×{profile.max_height}
                </TableCell>
                <TableCell className="tabular-nums">{profile.bitrate_kbps} kbps</TableCell>
                <TableCell>{profile.tier_count}</TableCell>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
    </>
  );
}
