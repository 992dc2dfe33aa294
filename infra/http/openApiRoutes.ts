// The OpenAPI document, generated from the route table's zod schemas, and an interactive docs page at /docs.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { swaggerUI } from "@hono/swagger-ui";
import { Hono } from "hono";
import { apiRoutes } from "../../schemas/api/apiRoutes.ts";
import type { HttpEnv } from "./httpEnv.ts";
import { openApiDocument } from "./openApiDocument.ts";

// The docs page's script and styles come from the swagger-ui-dist package, served by us: an installation
// without internet access (or behind a strict proxy) gets a working page, and nothing is loaded from a CDN.
const DOCS_ASSETS = "/docs/assets";
const docsAssetTypes: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};
const swaggerUiDist = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const docsAssets = new Map<string, Promise<Buffer>>();
const docsAsset = (name: string) => {
  let asset = docsAssets.get(name);
  if (!asset) {
    asset = readFile(join(swaggerUiDist, name));
    docsAssets.set(name, asset);
  }
  return asset;
};

export function openApiRoutes(version: string) {
  const document = openApiDocument(apiRoutes, version);
  return new Hono<HttpEnv>()
    .get("/openapi.json", (c) => c.json(document))
    .get("/docs", swaggerUI({ url: "/openapi.json", baseUrl: DOCS_ASSETS, title: "WebEncode API" }))
    .get(`${DOCS_ASSETS}/swagger-ui-dist/:name`, async (c) => {
      const name = c.req.param("name");
      const type = docsAssetTypes[name];
      if (!type) return c.notFound();
      return c.body(new Uint8Array(await docsAsset(name)), 200, {
        "content-type": type,
        "cache-control": "public, max-age=86400",
      });
    });
}
