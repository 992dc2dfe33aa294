import { describe, expect, it } from "vitest";
import { trackLabel } from "./trackLabel.ts";

describe("trackLabel", () => {
  it("names a track by its title, else by its language in that language, else by its place", () => {
    expect(trackLabel({ language: "fra", title: "Commentaire" }, "Audio 2")).toBe("Commentaire");
    expect(trackLabel({ language: "eng", title: null }, "Audio 1")).toBe("English");
    expect(trackLabel({ language: "fra", title: null }, "Audio 2")).toBe("Français");
    expect(trackLabel({ language: "jpn", title: "  " }, "Audio 3")).toBe("日本語");
    expect(trackLabel({ language: null, title: null }, "Audio 4")).toBe("Audio 4");
    expect(trackLabel({ language: "und", title: null }, "Audio 5")).toBe("Audio 5");
  });

  it("shows a tag it cannot name as the source wrote it", () => {
    expect(trackLabel({ language: "xyz", title: null }, "Audio 1")).toBe("xyz");
    expect(trackLabel({ language: "not a tag", title: null }, "Audio 1")).toBe("not a tag");
  });
});
