/**
 * stream-json and stream-chain publish their types through package.json "exports" (`./*` → `./src/*`),
 * which this project's "node" module resolution does not read; these map the two entries the JSON
 * reader imports to the declarations the packages ship.
 */
declare module "stream-json/core/parser.js" {
  export * from "stream-json/src/core/parser";
}

declare module "stream-chain/defs.js" {
  export * from "stream-chain/src/defs";
}
