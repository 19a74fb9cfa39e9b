import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generateCompose } from "../../lab/compose/generate.js";

describe("docker-compose.yml", () => {
  it("is exactly what the model generates (run `npx nonstop compose --write` after changing the model)", () => {
    for (const [path, text] of Object.entries(generateCompose())) expect(readFileSync(path, "utf8"), path).toBe(text);
  });

  it("keeps Compose v1 and v2 both happy: no top-level name, loopback-only ports, internal planes", () => {
    const doc = parse(readFileSync("docker-compose.yml", "utf8")) as {
      name?: string;
      services: Record<string, { ports?: { host_ip: string }[]; privileged?: boolean; cap_add?: string[] }>;
      networks: Record<string, { internal: boolean }>;
    };
    expect(doc.name).toBeUndefined();
    expect(Object.keys(doc.services).sort()).toEqual(["cpu-0", "cpu-1", "cpu-2", "cpu-3", "router-edge", "router-x", "router-y"]);
    for (const s of Object.values(doc.services)) {
      for (const p of s.ports ?? []) expect(p.host_ip).toBe("127.0.0.1");
      expect(s.privileged).toBeUndefined();
    }
    expect(doc.networks["servernet-x"]?.internal).toBe(true);
    expect(doc.networks["servernet-y"]?.internal).toBe(true);
    expect(doc.networks.edge?.internal).toBe(false);
  });
});
