import type { Config } from "@react-router/dev/config";

// A single-page app: the kernel serves the built files beside the API, so no Node server renders pages
// and every loader reads the query API over HTTP from the browser.
export default {
  appDirectory: "app",
  buildDirectory: "build",
  ssr: false,
} satisfies Config;
