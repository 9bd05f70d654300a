/** The `X-GitHub-Delivery` ids seen lately: a delivery sent again is a replay. */
export interface DeliveryCache {
  /** Remembers the id; true when it was already there. */
  seenBefore(id: string): boolean;
  size(): number;
}

/**
 * A bounded least-recently-used set of delivery ids: a Map keeps insertion order, so the first
 * key is the oldest; a hit moves the id to the end. Memory stays bounded whatever is sent.
 */
export function createDeliveryCache(capacity: number): DeliveryCache {
  const ids = new Map<string, true>();
  return {
    seenBefore(id) {
      if (ids.delete(id)) {
        ids.set(id, true);
        return true;
      }
      ids.set(id, true);
      if (ids.size > capacity) ids.delete(ids.keys().next().value as string);
      return false;
    },
    size: () => ids.size,
  };
}
