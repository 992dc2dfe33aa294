import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Bug,
  Clapperboard,
  Cpu,
  FolderOpen,
  KeyRound,
  LayoutDashboard,
  ListVideo,
  LogOut,
  Plus,
  Radio,
  Share2,
  SlidersHorizontal,
} from "lucide-react";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, NavLink, Outlet, useLocation } from "react-router";
import { LanguageSelect } from "../components/LanguageSelect.tsx";
import { ThemeToggle } from "../components/ThemeToggle.tsx";
import { Button } from "../components/ui/button.tsx";
import { cn } from "../components/ui/cn.ts";
import { apiFetch } from "../lib/apiFetch.ts";
import { installErrorTracker } from "../lib/errorTracker.ts";
import { useEventFeed } from "../lib/useEventFeed.ts";
import { useLocalePath } from "../lib/useLocalePath.ts";
import { can, useSession } from "../lib/useSession.ts";

export default function AppShell() {
  const { t } = useTranslation();
  const session = useSession();
  const path = useLocalePath();
  const location = useLocation();
  const client = useQueryClient();
  const signedIn = Boolean(session.data);
  const live = useEventFeed(signedIn);
  // reports need a session: the tracker runs while one is open
  useEffect(() => (signedIn ? installErrorTracker() : undefined), [signedIn]);
  const signOut = useMutation({
    mutationFn: () => apiFetch<void>("/v1/auth/session", { method: "DELETE" }),
    onSettled: () => client.setQueryData(["session"], null),
  });

  if (session.isPending) return <p className="p-8 text-sm text-muted-foreground">{t("common.loading")}</p>;
  if (!session.data) {
    return <Navigate replace to={`${path("/sign-in")}?next=${encodeURIComponent(location.pathname)}`} />;
  }

  const links = [
    { to: "/dashboard", label: t("nav.dashboard"), icon: LayoutDashboard, show: true },
    { to: "/jobs", label: t("nav.jobs"), icon: ListVideo, show: true },
    { to: "/jobs/new", label: t("nav.newJob"), icon: Plus, show: can(session.data, "operator") },
    { to: "/streams", label: t("nav.streams"), icon: Radio, show: true },
    { to: "/restreams", label: t("nav.restreams"), icon: Share2, show: true },
    { to: "/workers", label: t("nav.workers"), icon: Cpu, show: true },
    { to: "/files", label: t("nav.files"), icon: FolderOpen, show: can(session.data, "operator") },
    { to: "/settings/profiles", label: t("nav.profiles"), icon: SlidersHorizontal, show: true },
    { to: "/settings/tokens", label: t("nav.tokens"), icon: KeyRound, show: can(session.data, "admin") },
    { to: "/errors", label: t("nav.errors"), icon: Bug, show: true },
  ];

  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-60 shrink-0 flex-col border-r border-border bg-sidebar md:flex">
        <div className="flex h-14 items-center gap-2 px-5 font-semibold">
          <span className="grid size-7 place-items-center rounded-lg bg-primary text-primary-foreground">
            <Clapperboard aria-hidden className="size-4" />
          </span>
          {t("app.name")}
        </div>
        <nav aria-label={t("nav.main")} className="flex flex-1 flex-col gap-1 px-3 py-2">
          {links
            .filter((link) => link.show)
            .map(({ to, label, icon: Icon }) => (
              <NavLink
                key={to}
                to={path(to)}
                end
                className={({ isActive }) =>
                  cn(
                    "flex items-center gap-3 rounded-md px-3 py-2 text-sm text-muted-foreground hover:bg-muted hover:text-foreground",
                    isActive &&
                      "bg-primary/10 font-medium text-primary hover:bg-primary/10 hover:text-primary",
                  )
                }
              >
                <Icon aria-hidden className="size-4" />
                {label}
              </NavLink>
            ))}
        </nav>
        <div className="border-t border-border p-4 text-xs text-muted-foreground">
          <p className="truncate font-medium text-foreground" title={session.data.user_id}>
            {session.data.user_id}
          </p>
          <p data-testid="role">{t(`roles.${session.data.role}`)}</p>
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-end gap-2 border-b border-border bg-card/60 px-6">
          <span
            className={cn(
              "mr-auto inline-flex items-center gap-2 text-xs",
              live ? "text-success" : "text-muted-foreground",
            )}
            data-live={live}
          >
            <span className={cn("size-2 rounded-full", live ? "bg-success" : "bg-muted-foreground/40")} />
            {t("common.live")}
          </span>
          <LanguageSelect />
          <ThemeToggle />
          <Button variant="ghost" size="sm" onClick={() => signOut.mutate()}>
            <LogOut aria-hidden />
            {t("nav.signOut")}
          </Button>
        </header>
        <main className="mx-auto w-full max-w-7xl flex-1 p-6">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
