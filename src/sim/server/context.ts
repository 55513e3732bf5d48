/**
 * What every route of the simulator's server shares: its configuration, KV-cache slots, token ids,
 * counters for /sim/stats, and the request numbering faults are decided by.
 */
import type { FaultKind, FaultSpec } from './faults.ts';
import { faultKinds } from './faults.ts';
import type { LatencySpec } from './latency.ts';
import type { ModelCatalog } from './catalog.ts';
import type { SlotPool } from './slots.ts';
import type { TokenVocab } from './vocab.ts';
import type { NoAnswerNotices } from './no-answer.ts';

export interface ServerConfig {
  catalog: ModelCatalog;
  parallel: number;
  maxQueue: number;
  faults: FaultSpec | undefined;
  latency: LatencySpec | undefined;
  /** Called with one line for a simulator bug (never sent to clients). */
  onInternalError: (message: string) => void;
  /** Called with one line per problem the simulator has no answer for (see no-answer.ts). */
  onNotice?: (line: string) => void;
}

export interface Counters {
  requests: number;
  prefillNew: number;
  prefillCached: number;
  decoded: number;
  active: number;
  faults: Record<FaultKind, number>;
}

export function zeroCounters(): Counters {
  return {
    requests: 0,
    prefillNew: 0,
    prefillCached: 0,
    decoded: 0,
    active: 0,
    faults: Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>,
  };
}

export interface ServerContext {
  config: ServerConfig;
  slots: SlotPool;
  vocab: TokenVocab;
  counters: Counters;
  /** Counts an inference request (both APIs share one numbering, so a fault spec means the same on either). */
  nextRequest(): number;
  /** Marks responses to problems without an answer and logs each such problem once. */
  noAnswer: NoAnswerNotices;
}

export type Handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void> | void;
/** path -> method -> handler. */
export type Routes = Record<string, Record<string, Handler>>;
