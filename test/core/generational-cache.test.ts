import { describe, expect, it } from 'vitest';
import { generationalCache } from '../../controller/core/generational-cache.ts';

describe('generationalCache', () => {
  it('keeps, after a pass, exactly what that pass got or set', () => {
    const cache = generationalCache<number>();
    cache.set('a', 1);
    cache.set('b', 2);
    cache.rotate();
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    cache.rotate();
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([1, undefined, 3, 2]);
  });

  it('forgets an unfinished pass and keeps the one before', () => {
    const cache = generationalCache<number>();
    cache.set('a', 1);
    cache.rotate();
    cache.set('b', 2);
    cache.discard();
    expect([cache.get('a'), cache.get('b')]).toEqual([1, undefined]);
  });
});
