import { describe, expect, it } from "vitest";
import { createTailBuffer } from "./createTailBuffer.ts";

describe("createTailBuffer", () => {
  it("keeps everything while short, then only the last characters", () => {
    const tail = createTailBuffer(8);
    tail.push("abc");
    tail.push("def");
    expect(tail.text()).toBe("abcdef");
    tail.push("ghijk");
    expect(tail.text()).toBe("defghijk");
    tail.push("x".repeat(100));
    expect(tail.text()).toBe("xxxxxxxx");
  });
});
