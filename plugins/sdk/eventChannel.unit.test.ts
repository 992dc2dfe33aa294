import { describe, expect, it } from "vitest";
import { createEventChannel } from "./eventChannel.ts";

describe("createEventChannel", () => {
  it("hands values to the reader in order, before and after it waits, and ends after what was pushed", async () => {
    const channel = createEventChannel<number>();
    channel.push(1);
    const read: number[] = [];
    const reading = (async () => {
      for await (const value of channel) read.push(value);
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    channel.push(2);
    channel.push(3);
    channel.close();
    channel.push(4);
    await reading;
    expect(read).toEqual([1, 2, 3]);
  });

  it("tells the pushing side when the reader stops reading", async () => {
    let gone = 0;
    const channel = createEventChannel<string>(() => {
      gone += 1;
    });
    channel.push("a");
    for await (const value of channel) {
      expect(value).toBe("a");
      break;
    }
    expect(gone).toBe(1);
    expect(channel.closed).toBe(true);
  });
});
