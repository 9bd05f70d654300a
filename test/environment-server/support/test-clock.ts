/** A clock that moves only when told to; the server's store and the test share it. */
export function testClock(start = '2026-11-28T09:00:00.000Z'): { now: () => Date; advance: (ms: number) => void } {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}
