// The scenario's `workers:` (worker threads that generate the load): a whole number >= 1, or auto.
import { deref, fail, int, type Ctx, type Field } from './nodes.ts';
import { isScalar } from 'yaml';

export function readWorkers(ctx: Ctx, field: Field): number | 'auto' {
  const node = deref(ctx, field.value, field.path);
  if (isScalar(node) && node.value === 'auto') return 'auto';
  if (isScalar(node) && typeof node.value === 'string') fail(ctx, node, field.path, `expected a whole number >= 1 or auto, got "${node.value}"`);
  return int(ctx, node, field.path, 1);
}
