/**
 * The display-filter fields of a frame's replay verdict (`drop`, `reason`, `bridge`, `table`...):
 * absent from a frame decoded without a replay. Pure.
 */

import type { FilterScalar } from "../model/display-filter.js";
import { BOOL, oneOf, STRING, uint } from "../model/filter-field-type.js";
import { traceSteps } from "../pipeline/trace.js";
import { dropsOf, hasKind } from "./branches.js";
import { type FieldSpec, type Getter, one } from "./filter-record.js";
import type { FrameCtx } from "./frame-fields.js";
import type { DropExplanation, DropReason, VerdictKind } from "./types.js";

/** Every verdict kind and drop reason: a Record so that a new one cannot be left out of the filter. */
const VERDICT_KINDS: Readonly<Record<VerdictKind, true>> = {
  delivered: true,
  tunneled: true,
  dropped: true,
  controller: true,
  loop: true,
  "no-ingress": true,
};
const DROP_REASONS: Readonly<Record<DropReason, true>> = {
  "table-miss": true,
  "drop-flow": true,
  "anti-spoofing": true,
  "vlan-mismatch": true,
  "unknown-tunnel-id": true,
  "ct-invalid": true,
  "ttl-expired": true,
  "unknown-tunnel-peer": true,
  "port-down": true,
  "mtu-exceeded": true,
  "normal-no-port": true,
  "translation-error": true,
  "security-group": true,
};

const verdictIs =
  (...kinds: VerdictKind[]): Getter<FrameCtx> =>
  (c) =>
    c.verdict && hasKind(c.verdict, kinds) ? [true] : [];
/** A field of every failed branch's explanation: a flood dropped on one host of three matches. */
const dropsField =
  (get: (d: DropExplanation) => FilterScalar | undefined): Getter<FrameCtx> =>
  (c) =>
    unique(c.verdict ? dropsOf(c.verdict).flatMap((d) => one(get(d))) : []);
const unique = (xs: FilterScalar[]): FilterScalar[] => [...new Set(xs)];

export const VERDICT_SPECS: ReadonlyArray<FieldSpec<FrameCtx>> = [
  {
    name: "verdict",
    description: "delivered, tunneled, dropped, controller, loop or no-ingress (each branch)",
    type: oneOf(Object.keys(VERDICT_KINDS)),
    get: (c) => unique([...one(c.verdict?.verdict), ...(c.verdict?.branches.map((b) => b.kind) ?? [])]),
  },
  { name: "drop", description: "the frame or a branch was dropped", type: BOOL, get: verdictIs("dropped") },
  {
    name: "dropped",
    description: "the frame or a branch was dropped",
    type: BOOL,
    get: verdictIs("dropped"),
  },
  {
    name: "delivered",
    description: "output (on some branch) to a port of a loaded host",
    type: BOOL,
    get: verdictIs("delivered"),
  },
  {
    name: "tunneled",
    description: "sent (on some branch) into a tunnel to a host not loaded",
    type: BOOL,
    get: verdictIs("tunneled"),
  },
  { name: "controller", description: "sent to the controller", type: BOOL, get: verdictIs("controller") },
  {
    name: "loop",
    description: "translation stopped on a loop or a limit",
    type: BOOL,
    get: verdictIs("loop"),
  },
  {
    name: "no-ingress",
    description: "no ingress port of a loaded host",
    type: BOOL,
    get: verdictIs("no-ingress"),
  },
  {
    name: "reason",
    description: "why it was dropped (table-miss, anti-spoofing, unknown-tunnel-id...)",
    type: oneOf(Object.keys(DROP_REASONS)),
    get: dropsField((d) => d.reason),
  },
  {
    name: "host",
    description: "every host the frame crossed",
    type: STRING,
    get: (c) =>
      unique([
        ...(c.verdict?.hops.map((h) => h.host) ?? []),
        ...(c.verdict ? dropsOf(c.verdict).map((d) => d.host) : []),
      ]),
  },
  {
    name: "bridge",
    description: "every bridge the frame crossed",
    type: STRING,
    get: (c) =>
      unique([
        ...(c.verdict?.hops.flatMap((h) => one(h.bridge)) ?? []),
        ...(c.verdict?.traces.flatMap((t) => traceSteps(t).map((s) => s.bridge)) ?? []),
        ...(c.verdict ? dropsOf(c.verdict).map((d) => d.bridge) : []),
      ]),
  },
  {
    name: "table",
    description: "every OpenFlow table the frame's translation looked up (and the dropping one)",
    type: uint(8),
    get: (c) =>
      unique([
        ...(c.verdict?.traces.flatMap((t) => traceSteps(t).map((s) => s.table)) ?? []),
        ...(c.verdict ? dropsOf(c.verdict).flatMap((d) => one(d.table)) : []),
      ]),
  },
  {
    name: "drop.bridge",
    description: "the bridge where it was dropped",
    type: STRING,
    get: dropsField((d) => d.bridge),
  },
  {
    name: "drop.table",
    description: "the table where it was dropped",
    type: uint(8),
    get: dropsField((d) => d.table),
  },
  {
    name: "drop.host",
    description: "the host where it was dropped",
    type: STRING,
    get: dropsField((d) => d.host),
  },
  {
    name: "port",
    description: "every port of the frame's path (in, patch, out, tunnel)",
    type: STRING,
    get: (c) => unique(c.verdict?.hops.map((h) => h.port) ?? []),
  },
  {
    name: "cached",
    description: "the verdict came from the megaflow cache",
    type: BOOL,
    get: (c) => (c.verdict?.cached ? [true] : []),
  },
  {
    name: "result",
    description: 'the verdict\'s one-line summary ("dropped compute2 br-tun table 4 (...)")',
    type: STRING,
    get: (c) => one(c.verdict?.summary),
  },
];
