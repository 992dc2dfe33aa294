import { describe, expect, it } from "vitest";
import { scriptedLookup } from "./scriptedLookup.ts";

describe("scriptedLookup", () => {
  it("answers a listed name from its script, one answer per lookup, the last one repeated", async () => {
    const lookup = scriptedLookup(JSON.stringify({ "Rebind.test": ["93.184.216.34", "127.0.0.1"] }));
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await lookup("rebind.test"))[0]?.address);
    expect(answers).toEqual(["93.184.216.34", "127.0.0.1", "127.0.0.1"]);
  });

  it("refuses a script that is not a list of IP addresses per name", () => {
    expect(() => scriptedLookup(JSON.stringify({ "a.test": ["not-an-ip"] }))).toThrow(/a\.test/);
    expect(() => scriptedLookup(JSON.stringify({ "a.test": [] }))).toThrow(/a\.test/);
  });
});
