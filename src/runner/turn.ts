/**
 * Lets the event loop turn (other streams, timers, Ctrl-C) between two pieces of synchronous
 * work that would otherwise run as one long stretch. Not for tight loops: each turn costs a
 * trip through the loop.
 */
export function turn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
