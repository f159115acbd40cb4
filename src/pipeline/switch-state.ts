/**
 * A count of the changes translation makes to switch state: NORMAL's MAC learning (an entry added or
 * moved) and learn() (a flow added, or replaced with other actions). A replay reads it before and after
 * a frame to know whether the outcomes it cached went stale. One counter for every switch, bumped where
 * the change is made: the check is one read, not a sum over every table of every bridge per frame.
 * Translation is synchronous, so a change between the two reads is the frame's own.
 */
export const switchState = { changes: 0 };

/** Translation changed a MAC table or a flow table. */
export function switchStateChanged(): void {
  switchState.changes++;
}
