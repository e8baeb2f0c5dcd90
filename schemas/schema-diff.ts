/**
 * Explains why a new JSON Schema cannot read data written under an old one (BACKWARD). The registry gives
 * the verdict; this gives the reader the field and the reason, e.g. `payload.rounds: type integer → string`.
 */

type Schema = Record<string, unknown>;

const asSchema = (v: unknown): Schema | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Schema) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function typesOf(s: Schema): string[] {
  if (Array.isArray(s.anyOf)) return s.anyOf.flatMap((b) => typesOf(asSchema(b) ?? {}));
  return list(s.type).map(String);
}

export function backwardIncompatibilities(oldSchema: unknown, newSchema: unknown, path = ''): string[] {
  const o = asSchema(oldSchema);
  const n = asSchema(newSchema);
  if (!o || !n) return [];
  const at = (what: string) => `${path || '(root)'}: ${what}`;
  const problems: string[] = [];

  const oldTypes = typesOf(o);
  const newTypes = typesOf(n);
  const lost = oldTypes.filter((t) => !newTypes.includes(t) && !(t === 'integer' && newTypes.includes('number')));
  if (oldTypes.length && newTypes.length && lost.length) problems.push(at(`type ${oldTypes.join('|')} → ${newTypes.join('|')}`));

  if ('const' in n && JSON.stringify(n.const) !== JSON.stringify(o.const)) problems.push(at(`const ${JSON.stringify(o.const)} → ${JSON.stringify(n.const)}`));
  if (Array.isArray(n.enum)) {
    const removed = list(o.enum).filter((v) => !(n.enum as unknown[]).includes(v));
    if (!Array.isArray(o.enum) || removed.length) problems.push(at(`enum narrowed${removed.length ? `: removed ${removed.map((v) => JSON.stringify(v)).join(', ')}` : ''}`));
  }
  if (typeof n.pattern === 'string' && n.pattern !== o.pattern) problems.push(at(`pattern ${String(o.pattern ?? '(none)')} → ${n.pattern}`));
  for (const key of ['minimum', 'minLength', 'minItems'] as const) {
    if (typeof n[key] === 'number' && (typeof o[key] !== 'number' || (n[key] as number) > (o[key] as number))) problems.push(at(`${key} raised to ${String(n[key])}`));
  }
  for (const key of ['maximum', 'maxLength', 'maxItems'] as const) {
    if (typeof n[key] === 'number' && (typeof o[key] !== 'number' || (n[key] as number) < (o[key] as number))) problems.push(at(`${key} lowered to ${String(n[key])}`));
  }

  const oldProps = asSchema(o.properties) ?? {};
  const newProps = asSchema(n.properties) ?? {};
  const closed = n.additionalProperties === false;
  for (const key of Object.keys(oldProps)) {
    const child = path ? `${path}.${key}` : key;
    if (!(key in newProps)) {
      if (closed) problems.push(`${child}: removed (old events carry it, the new schema refuses it)`);
    } else {
      problems.push(...backwardIncompatibilities(oldProps[key], newProps[key], child));
    }
  }
  const oldRequired = list(o.required);
  for (const key of list(n.required)) {
    if (!oldRequired.includes(key)) problems.push(`${path ? `${path}.` : ''}${String(key)}: newly required (old events may lack it)`);
  }
  if (n.additionalProperties === false && o.additionalProperties !== false) problems.push(at('additional properties no longer allowed'));
  if (n.items !== undefined) problems.push(...backwardIncompatibilities(o.items, n.items, `${path}[]`));
  // anyOf branches (e.g. nullable fields) are compared position by position
  if (Array.isArray(o.anyOf) && Array.isArray(n.anyOf)) {
    o.anyOf.forEach((branch, i) => problems.push(...backwardIncompatibilities(branch, (n.anyOf as unknown[])[i], path)));
  }
  return [...new Set(problems)];
}
