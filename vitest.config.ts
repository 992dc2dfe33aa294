import { defineConfig } from "vitest/config";

// Three tiers, named by file suffix. Integration and end-to-end tests share one throwaway Postgres
// (started by test/globalSetup.ts unless WEBENCODE_TEST_PG_URL points at a server); each test file
// creates its own database in it, so parallel files and parallel runs never collide.
export default defineConfig({
  test: {
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
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
