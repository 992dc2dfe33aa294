import { describe, expect, it } from "vitest";
import { ESCAPING_KEYS, ESCAPING_URL_PATHS } from "./storageContract.ts";
import {
  keyFromUrlPath,
  parseFolderPath,
  parseKeyPrefix,
  parseStorageKey,
  urlPathOfKey,
} from "./storageKey.ts";

describe("storage keys", () => {
  it("splits a relative key into its names, spaces, unicode and dots inside names included", () => {
    expect(parseStorageKey("uploads/talk one ü.mp4")).toEqual(["uploads", "talk one ü.mp4"]);
    expect(parseStorageKey("a/..b/c..d/.e")).toEqual(["a", "..b", "c..d", ".e"]);
  });

  it("refuses every escaping spelling as invalid_key", () => {
    for (const key of ESCAPING_KEYS)
      expect(parseStorageKey(key), key).toMatchObject({ reason: "invalid_key" });
  });

  it("turns a URL path into its key by decoding once, and refuses what decodes into an escape", () => {
    expect(keyFromUrlPath("a/talk%20one%20%C3%BC.mp4")).toBe("a/talk one ü.mp4");
    expect(keyFromUrlPath(urlPathOfKey("a/100%.mp4"))).toBe("a/100%.mp4");
    expect(keyFromUrlPath(urlPathOfKey("a/%41.mp4"))).toMatchObject({ reason: "invalid_key" });
    expect(keyFromUrlPath(urlPathOfKey("a/what? #1.mp4"))).toBe("a/what? #1.mp4");
    for (const path of ESCAPING_URL_PATHS)
      expect(keyFromUrlPath(path), path).toMatchObject({ reason: "invalid_key" });
  });

  it("splits a list prefix into whole folders and the start of a name", () => {
    expect(parseKeyPrefix("")).toEqual({ folder: [], namePrefix: "" });
    expect(parseKeyPrefix("a/b")).toEqual({ folder: ["a"], namePrefix: "b" });
    expect(parseKeyPrefix("a/b/")).toEqual({ folder: ["a", "b"], namePrefix: "" });
    expect(parseKeyPrefix("a/.")).toEqual({ folder: ["a"], namePrefix: "." });
    for (const prefix of ["../", "a/../", "/a", "a\u0000/", "%2e%2e/"]) {
      expect(parseKeyPrefix(prefix), prefix).toMatchObject({ reason: "invalid_key" });
    }
  });

  it("takes the root or a folder key, with or without a trailing slash, for browsing", () => {
    expect(parseFolderPath("")).toEqual([]);
    expect(parseFolderPath("a/b/")).toEqual(["a", "b"]);
    expect(parseFolderPath("..")).toMatchObject({ reason: "invalid_key" });
  });
});
