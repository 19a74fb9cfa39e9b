import { describe, expect, it } from "vitest";
import { servicesFlag } from "../../lab/cli/machine.js";
import { UsageError } from "../../lab/errors.js";

describe("nonstop up --services", () => {
  it("takes all, or a list of the paper's services", () => {
    expect(servicesFlag("all", 4).map((s) => s.name)).toEqual(["web", "transactions", "mail", "downloads", "files", "files-wb", "session"]);
    expect(servicesFlag("web, session", 4).map((s) => [s.name, s.primary, s.backup])).toEqual([
      ["web", "cpu-0", "cpu-1"],
      ["session", "cpu-0", "cpu-1"],
    ]);
    expect(servicesFlag("mail", 1)[0]?.backup).toBeUndefined();
  });

  it("names the allowed services for an unknown one", () => {
    expect(() => servicesFlag("web,gopher", 4)).toThrow(UsageError);
    expect(() => servicesFlag("web,gopher", 4)).toThrow("--services: unknown service 'gopher'; allowed: all, or a list of web, transactions, mail, downloads, files, files-wb, session");
  });
});
