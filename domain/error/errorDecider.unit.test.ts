import { describe, it } from "vitest";
import { type ErrorEvent, errorEventSchema } from "../../schemas/events/errorEvents.ts";
import { DeciderSpecification } from "../../test/support/deciderSpecification.ts";
import { errorDecider } from "./errorDecider.ts";

const errorId = "0b6c2f4e-9d1a-4c3b-8e7f-1a2b3c4d5e6f";
const spec = DeciderSpecification.for(errorDecider, errorEventSchema);

const reported: ErrorEvent = {
  type: "ErrorReported",
  data: {
    errorId,
    sourceComponent: "frontend",
    severity: "error",
    message: "TypeError: job.tasks is undefined",
    stackTrace: "TypeError: job.tasks is undefined\n    at JobPage (app/routes/job.tsx:41:12)",
    contextData: { url: "/en/jobs/42", user_agent: "chromium" },
  },
};
const resolved: ErrorEvent = { type: "ErrorResolved", data: { errorId } };

describe("error decider", () => {
  it("reports an error once; the same id again decides nothing new", () => {
    spec.given().when({ type: "ReportError", data: reported.data }).thenEmits(reported);
    spec.given(reported).when({ type: "ReportError", data: reported.data }).thenEmits();
  });

  it("resolves an open error once; a repeat decides nothing new", () => {
    spec.given(reported).when({ type: "ResolveError", data: { errorId } }).thenEmits(resolved);
    spec.given(reported, resolved).when({ type: "ResolveError", data: { errorId } }).thenEmits();
  });

  it("refuses to resolve an error nobody reported (WE-ERR-001)", () => {
    spec
      .given()
      .when({ type: "ResolveError", data: { errorId } })
      .thenRejects({ code: "WE-ERR-001", reason: "ErrorNotFound" });
  });

  it("takes a plugin, named by its id, as a source", () => {
    const fromPlugin: ErrorEvent = {
      type: "ErrorReported",
      data: { ...reported.data, sourceComponent: "plugin:storage-s3", severity: "critical" },
    };
    spec.given().when({ type: "ReportError", data: fromPlugin.data }).thenEmits(fromPlugin);
  });
});
