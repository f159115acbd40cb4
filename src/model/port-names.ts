/**
 * Shows port numbers by name, as `ovs-ofctl --names` does (`in_port="qvo1"`, `output:"patch-tun"`),
 * given a bridge's number → name table. Returns new values; the parsed flow is left as it was.
 */
import type { Action, PortRef } from "./actions/index.js";
import type { Match } from "./match.js";

type Names = ReadonlyMap<number, string>;

function namedPort(p: PortRef, names: Names): PortRef {
  if (p.name !== undefined || p.number === undefined) return p;
  const name = names.get(p.number);
  return name === undefined ? p : { name, quoted: true };
}

export function nameMatchPorts(m: Match, names: Names): Match {
  return {
    ...m,
    fields: m.fields.map((f) => {
      if (f.field.format !== "port" || f.value.portName) return f;
      const name = names.get(Number(f.value.value));
      return name === undefined ? f : { ...f, value: { ...f.value, portName: { name, quoted: true } } };
    }),
  };
}

export function nameActionPorts(actions: readonly Action[], names: Names): Action[] {
  return actions.map((a): Action => {
    switch (a.type) {
      case "output":
      case "outputTrunc":
      case "enqueue":
        return { ...a, port: namedPort(a.port, names) };
      case "resubmit":
        return a.port ? { ...a, port: namedPort(a.port, names) } : a;
      case "bundle":
        return { ...a, members: a.members.map((p) => namedPort(p, names)) };
      case "clone":
      case "writeActions":
        return { ...a, actions: nameActionPorts(a.actions, names) };
      case "ct":
        return { ...a, exec: nameActionPorts(a.exec, names) };
      default:
        return a;
    }
  });
}

/** The reverse: a port name (as a `--names` dump or a filter writes it) to its number. */
export function portResolver(names: Names): (name: string) => number | undefined {
  const byName = new Map([...names].map(([n, s]) => [s, n]));
  return (name) => byName.get(name);
}
