import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { HAVE_SHARED, REPO_ROOT, SHARED } from "./shared.js";

export const LAB = join(SHARED, "ovs-lab");
/**
 * One lab host (`neutron-lab/compute1`: dumps and recorded ofproto/traces) copied verbatim into the
 * repository, so that a clone without ../shared still checks ovspath against real OVS; lab.test.ts keeps
 * the copy equal to the original.
 */
export const LAB_COPY = join(REPO_ROOT, "fixtures", "ovs-lab");

/** The labs' directory: ../shared's, or the copy in fixtures/ without it. */
export const labRoot = (): string => (HAVE_SHARED && existsSync(LAB) ? LAB : LAB_COPY);

/** Every host directory of the shared OVS labs (`neutron-lab/compute1`, ...), or of the copy without them. */
export function labHosts(): string[] {
  const root = labRoot();
  const out: string[] = [];
  for (const lab of readdirSync(root)
    .filter((d) => d.startsWith("neutron-lab"))
    .sort()) {
    for (const host of readdirSync(join(root, lab)).sort()) out.push(join(root, lab, host));
  }
  return out;
}

/** Lab dump files (under sos_commands/openvswitch and sos_commands/networking) whose name matches. */
export function labFiles(name: RegExp): string[] {
  const out: string[] = [];
  for (const host of labHosts()) {
    for (const sub of ["openvswitch", "networking"]) {
      const dir = join(host, "sos_commands", sub);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).sort()) if (name.test(f)) out.push(join(dir, f));
    }
  }
  return out;
}

/** Every `sos_commands/networking/<name>` of the lab hosts, by exact file name. */
export function networkingFiles(name: string): string[] {
  return labHosts()
    .map((h) => join(h, "sos_commands", "networking", name))
    .filter((f) => existsSync(f))
    .sort();
}
