import type { CompletionToken } from '../backends/backend.ts';
import { sharedLength } from '../core/prefix.ts';

/**
 * A simple model of one server slot's KV cache, for cost accounting: the slot keeps its last
 * prompt + output, and a new request reuses the longest shared prefix. Token counts come from the
 * server (prompt) and the generated tokens themselves; a prefix that ends inside the old prompt is
 * counted proportionally (we have no tokenizer, by design).
 */
export class KvSlotModel {
  private promptText = '';
  private promptTokens = 0;
  private generated: readonly CompletionToken[] = [];

  /** New-prefill tokens a request with this prompt would cost now, then remembers the request. */
  charge(prompt: string, promptTokens: number, generated: readonly CompletionToken[]): number {
    const shared = this.sharedTokens(prompt, promptTokens);
    this.promptText = prompt;
    this.promptTokens = promptTokens;
    this.generated = generated;
    // At least one prompt token is always evaluated: the server needs logits for the last position.
    return promptTokens === 0 ? 0 : Math.max(1, promptTokens - shared);
  }

  private sharedTokens(prompt: string, promptTokens: number): number {
    const lcp = commonPrefixLength(prompt, this.promptText, this.generated);
    if (lcp === 0 || this.promptText.length === 0) return 0;
    if (lcp < this.promptText.length) {
      return Math.min(promptTokens, Math.floor((this.promptTokens * lcp) / this.promptText.length));
    }
    let shared = this.promptTokens;
    let offset = this.promptText.length;
    for (const t of this.generated) {
      if (offset + t.text.length > lcp) break;
      offset += t.text.length;
      shared++;
    }
    return Math.min(promptTokens, shared);
  }
}

function commonPrefixLength(prompt: string, oldPrompt: string, oldGenerated: readonly CompletionToken[]): number {
  const i = sharedLength(prompt, oldPrompt, 0);
  if (i < oldPrompt.length) return i;
  let offset = oldPrompt.length;
  for (const t of oldGenerated) {
    const text = t.text;
    let j = 0;
    while (j < text.length && offset + j < prompt.length && prompt.charCodeAt(offset + j) === text.charCodeAt(j)) j++;
    offset += j;
    if (j < text.length) break;
  }
  return offset;
}
