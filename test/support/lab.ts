import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { HAVE_SHARED, SHARED } from "./shared.js";

export const LAB = join(SHARED, "ovs-lab");

/** Every host directory of the shared OVS labs (`neutron-lab/compute1`, ...). */
export function labHosts(): string[] {
  if (!HAVE_SHARED || !existsSync(LAB)) return [];
  const out: string[] = [];
  for (const lab of readdirSync(LAB)
    .filter((d) => d.startsWith("neutron-lab"))
    .sort()) {
    for (const host of readdirSync(join(LAB, lab)).sort()) out.push(join(LAB, lab, host));
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
