import { useMutation, useQueryClient } from "@tanstack/react-query";
import { KeyRound } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";
import { Button } from "../components/ui/button.tsx";
import { Card, CardContent } from "../components/ui/card.tsx";
import { Input } from "../components/ui/input.tsx";
import { Label } from "../components/ui/label.tsx";
import { ApiRequestError, apiFetch } from "../lib/apiFetch.ts";
import type { Session } from "../lib/apiTypes.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";

export default function SignIn() {
  const { t } = useTranslation();
  const [token, setToken] = useState("");
  const tokenId = useId();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const path = useLocalePath();
  const client = useQueryClient();
  const signIn = useMutation({
    mutationFn: () =>
      apiFetch<Session>("/v1/auth/session", { method: "POST", body: { token: token.trim() } }),
    onSuccess(session) {
      client.setQueryData(["session"], session);
      const next = params.get("next");
      // only a path of this site: never an address another site planted in the link
      navigate(next?.startsWith("/") && !next.startsWith("//") ? next : path("/dashboard"), {
        replace: true,
      });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate();
  };
  const failure = signIn.error instanceof ApiRequestError ? signIn.error.failure : null;

  return (
    <main className="grid min-h-screen place-items-center bg-muted/40 p-6">
      <Card className="w-full max-w-md">
        <CardContent className="space-y-6 pt-8">
          <div className="space-y-2 text-center">
            <div className="mx-auto grid size-11 place-items-center rounded-xl bg-primary text-primary-foreground">
              <KeyRound aria-hidden className="size-5" />
            </div>
            <h1 className="text-xl font-semibold">{t("signIn.title")}</h1>
            <p className="text-sm text-muted-foreground">{t("signIn.intro")}</p>
          </div>
          <form onSubmit={submit} className="space-y-4">
            <div className="space-y-2">
              <Label htmlFor={tokenId}>{t("signIn.token")}</Label>
              <Input
                id={tokenId}
                name="token"
                type="password"
                autoComplete="off"
                required
                value={token}
                onChange={(event) => setToken(event.target.value)}
              />
            </div>
            {failure && (
              <p role="alert" className="rounded-md bg-destructive/10 p-3 text-sm text-destructive">
                <strong>{t("signIn.failed")}</strong> ({failure.code}): {failure.details}
              </p>
            )}
            <Button type="submit" className="w-full" disabled={signIn.isPending || token.trim() === ""}>
              {t("signIn.submit")}
            </Button>
          </form>
        </CardContent>
      </Card>
    </main>
  );
}
