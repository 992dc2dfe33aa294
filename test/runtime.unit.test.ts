// npm scripts (npm test, npm start, .ci/run) run on the Node that package.json pins, whatever the
// system Node is: the `node` package puts its binary first on their PATH.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  dependencies: Record<string, string>;
  trustedDependencies: string[];
};

describe("the runtime", () => {
  it("is the Node 24 LTS that package.json pins, installed by its own install script", () => {
    const pinned = manifest.dependencies.node;
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    expect(manifest.trustedDependencies).toContain("node");
    expect(process.version).toBe(`v${pinned}`);
  });
});
