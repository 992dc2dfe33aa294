import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { PageHeader } from "../components/PageHeader.tsx";
import { Badge } from "../components/ui/badge.tsx";
import { Button } from "../components/ui/button.tsx";
import { Card, CardContent } from "../components/ui/card.tsx";
import { Input, NativeSelect } from "../components/ui/input.tsx";
import { Label } from "../components/ui/label.tsx";
import { Table, TableCell, TableHead } from "../components/ui/table.tsx";
import { ApiRequestError, apiFetch } from "../lib/apiFetch.ts";
import type { TokenSummary } from "../lib/apiTypes.ts";
import { can, useSession } from "../lib/useSession.ts";

export default function Tokens() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const client = useQueryClient();
  const isAdmin = can(session.data, "admin");
  const tokens = useQuery({
    queryKey: ["tokens"],
    queryFn: () => apiFetch<{ tokens: TokenSummary[] }>("/v1/tokens"),
    enabled: isAdmin,
  });
  const [name, setName] = useState("");
  const nameId = useId();
  const roleId = useId();
  const [role, setRole] = useState("viewer");
  const create = useMutation({
    mutationFn: () =>
      apiFetch<TokenSummary & { token: string }>("/v1/tokens", { method: "POST", body: { name, role } }),
    onSuccess: () => {
      setName("");
      void client.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => apiFetch(`/v1/tokens/${id}`, { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["tokens"] }),
  });
  if (!isAdmin) return <p className="text-sm text-muted-foreground">{t("tokens.adminOnly")}</p>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" });
  const failure = create.error instanceof ApiRequestError ? create.error.failure : null;

  return (
    <>
      <PageHeader title={t("tokens.title")} />
      <Card className="mb-6">
        <CardContent className="pt-5">
          <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
            <div className="min-w-56 flex-1 space-y-2">
              <Label htmlFor={nameId}>{t("tokens.name")}</Label>
              <Input id={nameId} required value={name} onChange={(event) => setName(event.target.value)} />
            </div>
            <div className="space-y-2">
              <Label htmlFor={roleId}>{t("tokens.role")}</Label>
              <NativeSelect id={roleId} value={role} onChange={(event) => setRole(event.target.value)}>
                {(["viewer", "operator", "admin"] as const).map((r) => (
                  <option key={r} value={r}>
                    {t(`roles.${r}`)}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <Button type="submit" disabled={create.isPending || name.trim() === ""}>
              {t("tokens.create")}
            </Button>
          </form>
          {create.data && (
            <div className="mt-4 rounded-md border border-warning/40 bg-warning/10 p-3 text-sm">
              <p className="mb-1 font-medium">{t("tokens.shownOnce")}</p>
              <code className="break-all" data-testid="new-token">
                {create.data.token}
              </code>
            </div>
          )}
          {failure && (
            <p role="alert" className="mt-3 text-sm text-destructive">
              {failure.code}: {failure.details}
            </p>
          )}
        </CardContent>
      </Card>
      <Card>
        <Table>
          <thead>
            <tr>
              <TableHead>{t("tokens.name")}</TableHead>
              <TableHead>{t("tokens.role")}</TableHead>
              <TableHead>{t("tokens.prefix")}</TableHead>
              <TableHead>{t("tokens.created")}</TableHead>
              <TableHead>{t("tokens.state")}</TableHead>
              <TableHead />
            </tr>
          </thead>
          <tbody>
            {tokens.data?.tokens.map((token) => (
              <tr key={token.id}>
                <TableCell className="font-medium">{token.name}</TableCell>
                <TableCell>{t(`roles.${token.role}`)}</TableCell>
                <TableCell className="font-mono text-xs">{token.prefix}</TableCell>
                <TableCell className="text-xs">{date.format(new Date(token.created_at))}</TableCell>
                <TableCell>
                  {token.revoked_at ? (
                    <Badge tone="neutral">{t("tokens.revoked")}</Badge>
                  ) : (
                    <Badge tone="success">{t("tokens.active")}</Badge>
                  )}
                </TableCell>
                <TableCell className="text-right">
                  {!token.revoked_at && token.id !== session.data?.token_id && (
                    <Button variant="outline" size="sm" onClick={() => revoke.mutate(token.id)}>
                      {t("tokens.revoke")}
                    </Button>
                  )}
                </TableCell>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
    </>
  );
}
