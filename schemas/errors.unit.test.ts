import { describe, expect, it } from "vitest";
import { errorCodeSchema, errorCodes, errors } from "./errors.ts";

describe("errors", () => {
  it("holds every code of the spec, the two fencing codes and the two routing codes", () => {
    const families = { JOB: 11, STR: 6, WRK: 4, PLG: 5, AUTH: 5, STO: 4, SYS: 7 };
    const expected = Object.entries(families).flatMap(([family, count]) =>
      Array.from({ length: count }, (_, i) => `WE-${family}-${String(i + 1).padStart(3, "0")}`),
    );
    expect([...errorCodes].sort()).toEqual(expected.sort());
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

  it("parses known codes only", () => {
    expect(errorCodeSchema.safeParse("WE-JOB-004").success).toBe(true);
    expect(errorCodeSchema.safeParse("WE-JOB-999").success).toBe(false);
  });
});
