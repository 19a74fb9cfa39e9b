// Reads a topology file (YAML or JSON; YAML is a superset) into the user form.
import { readFile } from "node:fs/promises";
import { parse, YAMLParseError } from "yaml";
import { UsageError, errorMessage } from "../errors.js";

export async function loadTopologyFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new UsageError(`--topology: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text, { prettyErrors: false }) as unknown;
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos?.[0] ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : "";
    throw new UsageError(`--topology: ${path} is not valid YAML or JSON${where}: ${errorMessage(err).split("\n")[0]}`);
  }
  if (parsed === null || parsed === undefined) throw new UsageError(`--topology: ${path} is empty; give at least one field, e.g. 'cpus: 4' (every field is optional; see the README's "Topology files")`);
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new UsageError(`--topology: ${path} must be a mapping of fields (cpus, cpu, planes, disks, services, heartbeat), not ${Array.isArray(parsed) ? "a list" : typeof parsed}`);
  return parsed;
}
