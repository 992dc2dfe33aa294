import { describe, expect, it } from "vitest";
import { findNulCharacter } from "./refuseNulCharacters.ts";

describe("findNulCharacter", () => {
  it("names the path of the first string or key holding a NUL", () => {
    expect(findNulCharacter({ reason: "a\u0000b" })).toBe("reason");
    expect(findNulCharacter({ output: { ladder: [{ name: "ok" }, { name: "x\u0000" }] } })).toBe(
      "output.ladder.1.name",
    );
    expect(findNulCharacter({ tags: { "a\u0000b": 1 } })).toBe('tags."a\\u0000b"');
    expect(findNulCharacter("\u0000")).toBe("body");
  });

  it("finds nothing in text that only spells the escape", () => {
    expect(findNulCharacter(JSON.parse('{"note": "\\\\u0000 is how JSON writes it"}'))).toBeUndefined();
    expect(findNulCharacter({ n: 0, b: null, t: true, list: [] })).toBeUndefined();
  });
});
