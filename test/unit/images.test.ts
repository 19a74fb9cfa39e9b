import { describe, expect, it } from "vitest";
import { argDefault } from "../../lab/images/build.js";
import { splitRef } from "../../lab/images/engine-build.js";
import { parseAptSources } from "../../lab/images/offline.js";
import { inputsHash } from "../../lab/util/hash.js";
import { readFileSync } from "node:fs";

describe("image inputs", () => {
  it("reads the official base from each Dockerfile's ARG default", () => {
    expect(argDefault(readFileSync("images/base/Dockerfile", "utf8"), "NODE_BASE")).toMatch(/^node:24-bookworm-slim$/);
    expect(argDefault(readFileSync("images/router/Dockerfile", "utf8"), "TOXIPROXY_BASE")).toMatch(/^ghcr\.io\/shopify\/toxiproxy:/);
    expect(() => argDefault("FROM x", "NODE_BASE")).toThrow(/ARG NODE_BASE/);
  });

  it("hashes inputs stably and without ambiguity between parts", () => {
    expect(inputsHash(["a", "b"])).toBe(inputsHash(["a", "b"]));
    expect(inputsHash(["ab", ""])).not.toBe(inputsHash(["a", "b"]));
    expect(inputsHash([Buffer.from("a")])).not.toBe(inputsHash(["a"]));
    expect(inputsHash(["x"])).toMatch(/^[0-9a-f]{12}$/);
  });

  it("splits image references", () => {
    expect(splitRef("nonstop-lab/cpu:abc")).toEqual(["nonstop-lab/cpu", "abc"]);
    expect(splitRef("localhost:5000/x")).toEqual(["localhost:5000/x", "latest"]);
    expect(splitRef("x")).toEqual(["x", "latest"]);
  });
});

describe("apt sources for mmdebstrap", () => {
  it("keeps the machine's Debian entries for the suite, from deb822 and one-line files", () => {
    const got = parseAptSources(
      [
        {
          name: "debian.sources",
          text: `Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\n`,
        },
        { name: "nodesource.sources", text: `Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\nComponents: main\n` },
        { name: "other.list", text: `deb [arch=amd64] http://mirror.example/debian bookworm main contrib\n# deb http://x bookworm main\ndeb-src http://y bookworm main\n` },
        { name: "off.sources", text: `Types: deb\nURIs: http://off/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n` },
      ],
      "bookworm",
    );
    expect(got).toEqual([
      { uri: "http://deb.debian.org/debian", suite: "bookworm", components: "main" },
      { uri: "http://deb.debian.org/debian", suite: "bookworm-updates", components: "main" },
      { uri: "http://deb.debian.org/debian-security", suite: "bookworm-security", components: "main" },
      { uri: "http://mirror.example/debian", suite: "bookworm", components: "main contrib" },
    ]);
  });
});
