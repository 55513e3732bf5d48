/**
 * The injected fault of one completion request, applied the same way on Ollama's and the
 * OpenAI-compatible API: errors and delays before any reply, mid-stream faults handed to the writer.
 */
import type { ServerContext } from './context.ts';
import { decideFault, type FaultDecision } from './faults.ts';
import { HttpError, OllamaMessages } from './http-error.ts';
import { sleep } from './http-io.ts';

/** Throws or waits for a fault that strikes before the reply; returns a fault that strikes inside it. */
export async function applyRequestFault(ctx: ServerContext, requestNumber: number): Promise<FaultDecision | undefined> {
  const fault = decideFault(ctx.config.faults, requestNumber);
  if (fault) ctx.counters.faults[fault.kind]++;
  if (fault?.kind === 'http500') throw new HttpError(500, OllamaMessages.runnerCrashed);
  if (fault?.kind === 'http503') throw new HttpError(503, OllamaMessages.busy);
  if (fault?.kind === 'slow') await sleep(ctx.config.faults?.slowMs ?? 0);
  return fault && (fault.kind === 'cut' || fault.kind === 'errorline' || fault.kind === 'nodone') ? fault : undefined;
}

/** The generation's per-chunk hook: once the fault's token count is sent, the writer strikes and generation stops. */
export function strikeAfter(midStream: FaultDecision | undefined, writer: { strike(): void }): ((sent: number) => boolean) | undefined {
  if (!midStream) return undefined;
  return (sent) => {
    if (sent < midStream.afterTokens) return false;
    writer.strike();
    return true;
  };
}
