import { describe, expect, it } from "vitest";
import { errorCodeSchema, errorCodes, errors } from "./errors.ts";

describe("errors", () => {
  it("holds every code of the spec, the two fencing codes, the stitch proof, the plugin manifest, storage key and range, routing, error-tracking and profile codes", () => {
    const families = { JOB: 16, STR: 6, WRK: 4, ERR: 2, PLG: 7, AUTH: 5, STO: 6, SYS: 7 };
    const expected = Object.entries(families).flatMap(([family, count]) =>
      Array.from({ length: count }, (_, i) => `WE-${family}-${String(i + 1).padStart(3, "0")}`),
    );
    // restreams own WE-STR-010..014
    expected.push(...[10, 11, 12, 13, 14].map((n) => `WE-STR-0${n}`));
    expect([...errorCodes].sort()).toEqual(expected.sort());
  });

  it("fails a stitch that does not pass its proof as a server-side job failure", () => {
    expect(errors["WE-JOB-012"]).toMatchObject({ httpStatus: 500, message: "Stitch verification failed" });
  });

  it("answers stale attempts and taken attempts with 409", () => {
    expect(errors["WE-JOB-010"]).toMatchObject({ httpStatus: 409, message: "Stale task attempt" });
    expect(errors["WE-JOB-011"]).toMatchObject({ httpStatus: 409, message: "Task already started" });
  });

  it("gives every code an HTTP error status, a message and a resolution", () => {
    for (const code of errorCodes) {
      const { httpStatus, message, resolution } = errors[code];
      expect(httpStatus).toBeGreaterThanOrEqual(400);
      expect(httpStatus).toBeLessThan(600);
      expect(message.length).toBeGreaterThan(0);
      expect(resolution.length).toBeGreaterThan(0);
    }
  });

  it("refuses a bad storage key with 400 and an unsatisfiable range with 416", () => {
    expect(errors["WE-STO-005"]).toMatchObject({ httpStatus: 400, message: "Invalid object key" });
    expect(errors["WE-STO-006"]).toMatchObject({ httpStatus: 416, message: "Range not satisfiable" });
  });

  it("parses known codes only", () => {
    expect(errorCodeSchema.safeParse("WE-JOB-004").success).toBe(true);
    expect(errorCodeSchema.safeParse("WE-JOB-999").success).toBe(false);
  });
});
