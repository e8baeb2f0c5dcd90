/** Field types shared by the envelope and the payloads. */
import { z } from 'zod';

/** `sha256:` + 64 lowercase hex digits: content hashes, prompt/response hashes, chain hashes. */
export const sha256Ref = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" followed by 64 lowercase hex digits');

/** RFC 3339 UTC timestamp with a Z suffix, optional fraction: 2026-04-30T14:00:00.250Z */
export const utcTimestamp = z.iso.datetime();

export const compositionId = z.string().regex(/^cmp_[A-Za-z0-9_-]{1,120}$/, 'expected "cmp_" followed by letters, digits, "_" or "-"');

/** `evt_<composition id without cmp_>_<sequence>`: deterministic, see audit/event-id.ts. */
/** A composition's type: a lower-case identifier (vrs_screening, fusion_run, investigation, …). */
export const compositionType = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected a lower-case identifier of at most 64 characters');

export const eventId = z.string().regex(/^evt_[A-Za-z0-9_-]{1,120}_[0-9]{3,}$/, 'expected "evt_<composition>_<sequence>"');

export const ACTOR_TYPES = ['service', 'agent', 'human'] as const;
export const actorType = z.enum(ACTOR_TYPES);
export type ActorType = z.infer<typeof actorType>;

export const nonEmpty = z.string().min(1);
export const count = z.number().int().min(0);
