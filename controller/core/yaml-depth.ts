/** Walks the concrete syntax tree without recursion; returns the offset of the first collection past the limit. */
export function findTooDeep(root: unknown, maxDepth: number): number | undefined {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const token = node as { items?: Array<{ key?: unknown; value?: unknown }>; value?: unknown; offset?: number };
    if (Array.isArray(token.items)) {
      if (depth >= maxDepth) return token.offset ?? 0;
      for (const item of token.items) {
        stack.push([item.key, depth + 1], [item.value, depth + 1]);
      }
    }
    if (token.value && typeof token.value === 'object') stack.push([token.value, depth]);
  }
  return undefined;
}
