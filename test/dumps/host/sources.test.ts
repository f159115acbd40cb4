import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readTree } from "../../../src/dumps/host/sources.js";
import { REPO_ROOT } from "../../support/shared.js";

// A recorded `--names` dump (port names as OVS prints them), as recorded and with its port names made
// non-ASCII (OVS names are UTF-8 bytes), and a byte that is no UTF-8 at all: an all-ASCII file is read
// as Latin-1 (faster), every other as UTF-8; either way the text is the file's UTF-8 decoding.
describe("readTree decodes a file as UTF-8, whichever way it reads it", () => {
  const recorded = readFileSync(
    join(REPO_ROOT, "fixtures/hosts/linux-host/sos_commands/openvswitch/ovs-ofctl_--names_dump-flows_br-int"),
  );
  const dir = mkdtempSync(join(tmpdir(), "ovspath-sources-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const variants: Array<[string, Buffer]> = [
    ["as recorded (ASCII)", recorded],
    [
      "with non-ASCII port names",
      Buffer.from(recorded.toString("latin1").replaceAll("tap0", "tap\u00e9"), "utf8"),
    ],
    ["with a byte that is not UTF-8", Buffer.concat([recorded, Buffer.from([0xff, 0x0a])])],
  ];
  it.each(variants)("%s", (name, bytes) => {
    const path = join(dir, `${name.replaceAll(" ", "-")}.txt`);
    writeFileSync(path, bytes);
    const { files } = readTree(path);
    expect(files.map((f) => f.text)).toEqual([bytes.toString("utf8")]);
  });
});
