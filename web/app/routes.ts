import { index, layout, type RouteConfig, route } from "@react-router/dev/routes";

// Every page lives under an optional `/{locale}` prefix: `/jobs` is English, `/ja/jobs` Japanese.
export default [
  route(":locale?", "routes/localeLayout.tsx", [
    index("routes/home.tsx"),
    route("sign-in", "routes/signIn.tsx"),
    layout("routes/appShell.tsx", [
      route("dashboard", "routes/dashboard.tsx"),
      route("jobs", "routes/jobs.tsx"),
      route("jobs/new", "routes/jobNew.tsx"),
      route("jobs/:id", "routes/jobDetail.tsx"),
      route("streams", "routes/streams.tsx"),
      route("streams/new", "routes/streamNew.tsx"),
      route("streams/:id", "routes/streamStudio.tsx"),
      route("restreams", "routes/restreams.tsx"),
      route("restreams/new", "routes/restreamNew.tsx"),
      route("restreams/:id", "routes/restreamDetail.tsx"),
      route("restreams/:id/edit", "routes/restreamEdit.tsx"),
      route("workers", "routes/workers.tsx"),
      route("workers/:id", "routes/workerDetail.tsx"),
      route("files", "routes/files.tsx"),
      route("settings/tokens", "routes/tokens.tsx"),
      route("settings/profiles", "routes/profiles.tsx"),
      route("errors", "routes/errors.tsx"),
    ]),
    route("*", "routes/notFound.tsx"),
  ]),
] satisfies RouteConfig;
