// `npm run bench`: every benchmark under bench/, one after another (they share two cores).
import { execFileSync } from "node:child_process";

const benches = ["bench/images.ts", "bench/lifecycle.ts", "bench/router.ts", "bench/faults.ts", "bench/loadgen.ts", "bench/checks.ts", "bench/raid.ts", "bench/takeover.ts", "bench/address.ts"];
const extra = process.argv.slice(2);
for (const b of benches) {
  execFileSync(process.execPath, ["bin/run-ts.js", b, ...extra], { stdio: "inherit" });
}
