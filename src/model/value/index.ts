/**
 * One parser and one printer per kind of value: IPv4/IPv6 addresses and networks (`ip.ts`), MAC
 * addresses (`mac.ts`), unsigned integers of a width and masked ones (`integer.ts`). Flow matches,
 * display filters and the dump readers all read values through these, so two readers of the same
 * text cannot disagree.
 */
export * from "./integer.js";
export * from "./ip.js";
export * from "./mac.js";
