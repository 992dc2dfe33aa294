import { describe, expect, it } from "vitest";
import { packageLanguage } from "./packageLanguage.ts";

describe("packageLanguage", () => {
  it("spells ISO 639-2 codes, terminological or bibliographic, as their two-letter BCP 47 form", () => {
    expect(packageLanguage("eng")).toBe("en");
    expect(packageLanguage("fre")).toBe("fr");
    expect(packageLanguage("fra")).toBe("fr");
    expect(packageLanguage("GER")).toBe("de");
  });

  it("keeps regions and scripts, tags already short, and codes with no two-letter form", () => {
    expect(packageLanguage("por-BR")).toBe("pt-BR");
    expect(packageLanguage("zh-Hant")).toBe("zh-Hant");
    expect(packageLanguage("en")).toBe("en");
    expect(packageLanguage("yue")).toBe("yue");
  });

  it("has no language for none and for undetermined", () => {
    expect(packageLanguage(null)).toBeNull();
    expect(packageLanguage("und")).toBeNull();
    expect(packageLanguage("")).toBeNull();
  });
});
