#!/usr/bin/env node
// The `nonstop` command. It runs the compiled lab in dist/ (built by `npm install`'s
// prepare step, or `npm run build`), which starts in well under a second. A checkout that
// was never built falls back to the TypeScript source through tsx, slower but working.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/lab/cli/main.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../lab/cli/main.ts");
}
