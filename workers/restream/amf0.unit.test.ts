import { describe, expect, it } from "vitest";
import { decodeAmf0, encodeAmf0 } from "./amf0.ts";

describe("AMF0", () => {
  it("writes a command as servers read it: string, number, object with its end marker, null", () => {
    const bytes = encodeAmf0("createStream", 4, null);
    expect(bytes.toString("hex")).toBe(
      `02000c${Buffer.from("createStream").toString("hex")}00${"4010000000000000"}05`,
    );
    expect(encodeAmf0({ app: "live" }).toString("hex")).toBe(
      `030003${Buffer.from("app").toString("hex")}020004${Buffer.from("live").toString("hex")}000009`,
    );
  });

  it("reads back what it writes, and a server's ECMA array", () => {
    const values = ["_result", 1, { code: "NetStream.Publish.Start", level: "status" }, null, true, [1, "a"]];
    expect(decodeAmf0(encodeAmf0(...values))).toEqual(values);
    // onMetaData as FLV writes it: an ECMA array (its count is a hint; the end marker ends it)
    const ecma = Buffer.concat([
      Buffer.from([0x08, 0, 0, 0, 1, 0, 5]),
      Buffer.from("width"),
      Buffer.from([0x00, 0x40, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 0x09]),
    ]);
    expect(decodeAmf0(ecma)).toEqual([{ width: 160 }]);
  });
});
