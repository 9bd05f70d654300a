/**
 * Freezes a plain value and everything in it, and returns it: a manifest once loaded is read by
 * many (and, in the controller, kept from one commit to the next), so nobody may change it under
 * the others, and what is derived from it may be kept with it.
 */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === null || typeof next !== 'object' || Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const child of Object.values(next)) stack.push(child);
  }
  return value;
}
