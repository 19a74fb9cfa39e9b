// The console's page: console/app.ts bundled for the browser with esbuild (uPlot included),
// inlined with uPlot's stylesheet into one HTML document. No CDN, works offline.
import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);

export async function consolePage(rootDir: string): Promise<string> {
  const out = await build({
    entryPoints: [join(rootDir, "console", "app.ts")],
    bundle: true,
    write: false,
    platform: "browser",
    format: "iife",
    target: "es2022",
    minify: true,
    logLevel: "silent",
  });
  const js = out.outputFiles[0]?.text ?? "";
  const css = await readFile(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  const html = await readFile(join(rootDir, "console", "index.html"), "utf8");
  // Functions as replacements: a "$&" in the bundle must stay as it is.
  return html.replace("/*UPLOT_CSS*/", () => css).replace("/*APP_JS*/", () => js.replace(/<\/script/g, "<\\/script"));
}
