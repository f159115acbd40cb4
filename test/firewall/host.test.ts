/** A host's firewall from its dumps: the best source per family, sets, conntrack seeds, what is lost. */
import { describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { firewallOfDumps, firewallsOf } from "../../src/firewall/host.js";

describe("firewallOfDumps", () => {
  it("the recorded host: iptables-save over the listings, its ipsets and conntrack entries", async () => {
    const [h] = await loadHosts("fixtures/firewall/host1");
    const fw = firewallOfDumps(h.dumps)!;
    expect(fw.v4?.source).toBe("save");
    expect(fw.v6?.source).toBe("save");
    expect(fw.sources.ipv4?.[0]).toMatch(/iptables-save_-c$/);
    expect(fw.conntrack.size).toBeGreaterThan(5);
    expect(fw.lost).toEqual([]);
    const member = { family: "ipv4", src: 0x0a000007n } as never;
    expect(fw.sets.has("NIPv4a1b2c3d4-e5f6-4a7b-8c9d-", member, ["src"])).toBe(true);
    expect(fw.sets.has("NIPv4absent", member, ["src"])).toBeUndefined();
  });
  it("a host with no firewall dump has none; firewallsOf keys hosts by name", async () => {
    const hosts = await loadHosts("fixtures/hosts/linux-host");
    expect(firewallOfDumps(hosts[0].dumps)).toBeUndefined();
    expect([...firewallsOf(await loadHosts("fixtures/demo/hosts")).keys()]).toEqual(["compute1"]);
  });
});
