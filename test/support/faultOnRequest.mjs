// Loaded into a platform process under test (node --import): a request carrying `X-Test-Fault`
// raises a fault that no code handles, as a bug in any request path would; with
// WEBENCODE_TEST_FAULT_AT_LISTEN set, so does the HTTP server starting to listen, late in start-up.
import http from "node:http";

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === "request") {
    const fault = args[0].headers["x-test-fault"];
    if (fault === "rejection") void Promise.reject(new Error("injected unhandled rejection"));
    if (fault === "exception") {
      setImmediate(() => {
        throw new Error("injected uncaught exception");
      });
    }
  }
  return emit.call(this, event, ...args);
};

if (process.env.WEBENCODE_TEST_FAULT_AT_LISTEN) {
  const listen = http.Server.prototype.listen;
  http.Server.prototype.listen = function (...args) {
    void Promise.reject(new Error("injected fault during start-up"));
    return listen.apply(this, args);
  };
}
