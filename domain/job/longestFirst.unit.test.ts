import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { longestFirst } from "./longestFirst.ts";

const chunk = (index: number, startSec: number, endSec: number) => ({ index, startSec, endSec });

describe("longestFirst", () => {
  it("dispatches the longest chunk first and keeps source order among equals", () => {
    const chunks = [chunk(0, 0, 40), chunk(1, 40, 100), chunk(2, 100, 140), chunk(3, 140, 145)];
    expect(longestFirst(chunks).map((c) => c.index)).toEqual([1, 0, 2, 3]);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3]);
  });

  it("is a permutation ordered by length, never longer after shorter", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 200, noNaN: true }), { maxLength: 50 }), (lengths) => {
        let at = 0;
        const chunks = lengths.map((length, index) => {
          const start = at;
          at += length;
          return chunk(index, start, at);
        });
        const ordered = longestFirst(chunks);
        expect([...ordered].sort((a, b) => a.index - b.index)).toEqual(chunks);
        for (let i = 1; i < ordered.length; i++) {
          const [a, b] = [ordered[i - 1], ordered[i]];
          if (a === undefined || b === undefined) continue;
          const [la, lb] = [a.endSec - a.startSec, b.endSec - b.startSec];
          expect(la > lb || (la === lb && a.index < b.index)).toBe(true);
        }
      }),
    );
  });
});
