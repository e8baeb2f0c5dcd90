/**
 * Custom search attributes of a composition workflow, so ops can filter in the Web UI
 * (e.g. `CompositionState = "leased"`). All Keyword: exact-match filters.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

export const COMPOSITION_STATE = defineSearchAttributeKey('CompositionState', SearchAttributeType.KEYWORD);
export const COMPOSITION_TYPE = defineSearchAttributeKey('CompositionType', SearchAttributeType.KEYWORD);
export const LEASE_HOLDER = defineSearchAttributeKey('LeaseHolder', SearchAttributeType.KEYWORD);
/** Set while a step waits on the slow path for a dependency that is down: `idp`, `pdp` or `kafka` (workflows/effects.ts). */
export const WAITING_FOR = defineSearchAttributeKey('WaitingFor', SearchAttributeType.KEYWORD);

export const COMPOSITION_SEARCH_ATTRIBUTES = [COMPOSITION_STATE, COMPOSITION_TYPE, LEASE_HOLDER, WAITING_FOR] as const;
