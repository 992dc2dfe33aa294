import { defineConfig } from "vitest/config";

// Three tiers, named by file suffix. Integration and end-to-end tests share one throwaway Postgres
// (started by test/globalSetup.ts unless WEBENCODE_TEST_PG_URL points at a server); each test file
// creates its own database in it, so parallel files and parallel runs never collide.
// Platforms started by tests take free ports for live ingest, never the usual 1935/10080: parallel
// files and a platform already running on the machine must not collide (child processes inherit this).
process.env.WEBENCODE_RTMP_PORT ??= "0";
process.env.WEBENCODE_SRT_PORT ??= "0";

export default defineConfig({
  test: {
    // Vitest runs one file at a time on 2 cores (cores − 1); most files wait on ffmpeg, PostgreSQL or a
    // browser far more than they compute, so two at a time keep both cores busy. End-to-end files take
    // the same two places as the others (each starts its own platform on free ports): run after them in
    // one fork, one at a time, they made the suite 18 minutes instead of 11–13
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "unit",
          // the dashboard's pure helpers are tested here too; its pages by the browser tests
          include: ["**/*.unit.test.ts"],
          exclude: ["node_modules/**", "web/node_modules/**", "web/build/**"],
        },
      },
      {
        test: {
          name: "int",
          include: ["**/*.int.test.ts"],
          exclude: ["node_modules/**", "web/**"],
          globalSetup: ["test/globalSetup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          globalSetup: ["test/globalSetup.ts"],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
