import { describe, expect, it } from "vitest";
import { compareVersions, parseVersion, parseVersionRange, satisfies } from "./versionRange.ts";

const version = (text: string) => {
  const v = parseVersion(text);
  if ("_tag" in v) throw new Error(v.reason);
  return v;
};
const inRange = (v: string, range: string) => {
  const r = parseVersionRange(range);
  if ("_tag" in r) throw new Error(r.reason);
  return satisfies(version(v), r);
};

describe("versionRange", () => {
  it("holds a version inside a comparator set and refuses one outside", () => {
    expect(inRange("0.1.0", ">=0.1.0 <1.0.0")).toBe(true);
    expect(inRange("0.9.12", ">= 0.1.0 < 1.0.0")).toBe(true);
    expect(inRange("1.0.0", ">=0.1.0 <1.0.0")).toBe(false);
    expect(inRange("0.0.9", ">=0.1.0 <1.0.0")).toBe(false);
  });

  it("takes any alternative of ||, and a bare version as exactly that version", () => {
    expect(inRange("2.3.4", "0.1.0 || >=2.0.0 <3.0.0")).toBe(true);
    expect(inRange("0.1.0", "0.1.0 || >=2.0.0")).toBe(true);
    expect(inRange("0.1.1", "0.1.0 || >=2.0.0")).toBe(false);
    expect(inRange("1.0.0", ">1.0.0 || <1.0.0")).toBe(false);
    expect(inRange("1.0.0", "<=1.0.0")).toBe(true);
  });

  it("orders by semver precedence: numbers as numbers, a pre-release before its release, build ignored", () => {
    const order = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0",
      "1.2.0",
      "1.10.0",
    ];
    for (let i = 1; i < order.length; i++) {
      expect(compareVersions(version(order[i - 1]!), version(order[i]!))).toBe(-1);
      expect(compareVersions(version(order[i]!), version(order[i - 1]!))).toBe(1);
    }
    expect(compareVersions(version("1.0.0+build.5"), version("1.0.0"))).toBe(0);
    expect(inRange("1.0.0-rc.1", "<1.0.0")).toBe(true);
  });

  it("refuses what is not a range, saying what", () => {
    for (const [text, reason] of [
      ["", "empty alternative"],
      [">=0.1.0 ||", "empty alternative"],
      [">=0.1", "not a version"],
      ["^0.1.0", "not a version"],
      [">=0.1.0 <", "unexpected"],
      ["latest", "not a version"],
    ] as const) {
      expect(parseVersionRange(text)).toMatchObject({
        _tag: "InvalidVersion",
        reason: expect.stringContaining(reason),
      });
    }
  });
});
