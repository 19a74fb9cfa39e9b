import { describe, expect, it } from "vitest";
import { keepalivedConf } from "../../lab/keepalived/vrrp.js";

describe("keepalived configuration", () => {
  const spec = { lab: "l", cpu: "cpu-2", image: "i", iface: "eth1", vip: "172.20.255.253", bits: 16, priority: 150, advertInt: 1 };

  it("floats the address on the edge interface, never preempting a live master", () => {
    const c = keepalivedConf(spec);
    expect(c).toContain("virtual_ipaddress {\n    172.20.255.253/16 dev eth1");
    expect(c).toContain("nopreempt");
    expect(c).toContain("state BACKUP");
    expect(c).not.toContain("vrrp_version 3");
  });

  it("uses VRRPv3 for sub-second adverts", () => {
    const c = keepalivedConf({ ...spec, advertInt: 0.04 });
    expect(c).toContain("vrrp_version 3");
    expect(c).toContain("advert_int 0.04");
  });
});
