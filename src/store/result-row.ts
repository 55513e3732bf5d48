import type { CompletionToken } from '../backends/backend.ts';
import { parseJsonRecord } from './completion-codec.ts';
import type { ResultRow } from './store.ts';
import type { TokenSources } from './token-sources.ts';
import { decodeTrace, encodeTrace } from './trace-codec.ts';
import { decodeTraceRefs, encodeTraceRefs, isTraceRefs } from './trace-refs.ts';
import type { PendingResult } from './write-batch.ts';

/**
 * A row as stored: its trace beside the JSON, as references to the completions its tokens came
 * from when they all did (trace-refs.ts), else in token columns when that codec keeps it exactly
 * (trace-codec.ts). The JSON keeps a `trace: null` in its place, so the row reads back with its
 * fields in the order written.
 */
export function encodeRow(runId: string, row: ResultRow, sources: TokenSources): PendingResult {
  const trace = 'trace' in row ? (encodeTraceRefs(row['trace'], sources) ?? encodeTrace(row['trace'])) : undefined;
  if (trace === undefined) return { runId, key: row.key, row: JSON.stringify(row) };
  return { runId, key: row.key, row: JSON.stringify({ ...row, trace: null }), trace };
}

/** The inverse of encodeRow; `tokensOf` reads a stored completion's tokens for a trace of references. */
export function decodeRow(stored: { row: string; trace: Buffer | null }, where: string, tokensOf: (key: string) => readonly CompletionToken[] | undefined): ResultRow {
  const row = parseJsonRecord<ResultRow>(stored.row, where);
  if (stored.trace === null) return row;
  const at = `${where}, row ${row.key}`;
  row['trace'] = isTraceRefs(stored.trace) ? decodeTraceRefs(stored.trace, at, tokensOf) : decodeTrace(stored.trace, at);
  return row;
}
