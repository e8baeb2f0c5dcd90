/**
 * Custom search attributes of a composition workflow, so ops can filter in the Web UI
 * (e.g. `CompositionState = "leased"`). All Keyword: exact-match filters.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

export const COMPOSITION_STATE = defineSearchAttributeKey('CompositionState', SearchAttributeType.KEYWORD);
export const COMPOSITION_TYPE = defineSearchAttributeKey('CompositionType', SearchAttributeType.KEYWORD);
export const LEASE_HOLDER = defineSearchAttributeKey('LeaseHolder', SearchAttributeType.KEYWORD);

export const COMPOSITION_SEARCH_ATTRIBUTES = [COMPOSITION_STATE, COMPOSITION_TYPE, LEASE_HOLDER] as const;
