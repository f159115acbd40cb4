export { formatPort, formatSubfield, type PortRef, type Subfield } from "./refs.js";
export {
  ACTIONS,
  type ActionsResult,
  formatAction,
  formatActions,
  parseActions,
  parseActionsIn,
} from "./table.js";
export type { Action, ActionOf, ActionType, CtAction, LearnAction, LearnSpec, NatAction } from "./types.js";
