export { createEmbeddedEngine, type EmbeddedEngineOptions } from "./createEmbeddedEngine.ts";
