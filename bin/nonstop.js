#!/usr/bin/env node
// The `nonstop` command. The lab ships as TypeScript source; tsx compiles it on load so
// `npx nonstop` works straight after `npm install`, with no build step to forget.
import { register } from "tsx/esm/api";

register();
await import("../lab/cli/main.ts");
