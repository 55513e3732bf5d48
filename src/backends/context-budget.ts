/**
 * Keeps every request inside the run's fixed num_ctx, so budgets are exact and Ollama never
 * truncates or shifts silently. Ollama has no tokenize endpoint, so a prompt's token count is
 * estimated, conservatively:
 *
 * - Exact parts: every completion tells us the token count of its prompt (prompt_eval_count) and,
 *   closely, of prompt + generated text (prompt_eval_count + eval_count). In a trace tree nearly
 *   every prompt extends one of these (a branch = trunk prompt + trunk text + a short injection),
 *   so the longest remembered prefix covers almost all of it.
 * - The rest is counted as one token per UTF-8 byte, a true upper bound for byte-level BPE
 *   tokenizers (every token covers at least one byte), until this backend has seen a completion;
 *   after that as `margin` x the highest tokens-per-byte ratio seen so far (capped at 1).
 * - Re-tokenizing prompt + generated text can differ from the generated tokens by a few tokens,
 *   so a small slack is added per remembered prefix.
 *
 * When the estimate says a request does not fit and is not exact, the backend measures the prompt
 * with a 1-token request rather than refuse a run that may fit (ollama.ts, checkFits).
 * The estimate decides whether a request is refused up front; the server still has the last word
 * (truncate: false gives a 400 for an over-long prompt, and a generation that runs out of context
 * ends with done_reason "length" short of num_predict, which the backend reports as an error).
 */

const MEMORY = 256;

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export class PromptTokenEstimator {
  private readonly known: { text: string; tokens: number; slack: number }[] = [];
  private ratio = 1;
  private seen = false;

  constructor(private readonly margin = 1.5) {}

  /** Remembers what a finished completion revealed. */
  observe(prompt: string, promptTokens: number, generated: string, generatedTokens: number): void {
    if (!(promptTokens > 0)) return;
    const bytes = utf8Bytes(prompt);
    if (bytes > 0) {
      const observed = Math.min(1, (promptTokens / bytes) * this.margin);
      this.ratio = this.seen ? Math.max(this.ratio, observed) : observed;
      this.seen = true;
    }
    this.remember(prompt, promptTokens, 0);
    if (generated !== '') this.remember(prompt + generated, promptTokens + generatedTokens, 4 + Math.ceil(generatedTokens * 0.01));
  }

  /** A conservative estimate of the prompt's token count. */
  estimate(prompt: string): number {
    // Longest first, so the first match is the best one (probes along a long trunk share most of it).
    let best: { text: string; tokens: number; slack: number } | undefined;
    for (const entry of [...this.known].sort((a, b) => b.text.length - a.text.length)) {
      if (entry.text.length <= prompt.length && prompt.startsWith(entry.text)) {
        best = entry;
        break;
      }
    }
    const rest = best ? prompt.slice(best.text.length) : prompt;
    const restTokens = Math.ceil(utf8Bytes(rest) * this.ratio);
    return best ? best.tokens + best.slack + restTokens : restTokens;
  }

  /** The prompt's exact token count, when a completion of exactly this prompt was seen. */
  exact(prompt: string): number | undefined {
    return this.known.find((e) => e.slack === 0 && e.text === prompt)?.tokens;
  }

  private remember(text: string, tokens: number, slack: number): void {
    const at = this.known.findIndex((e) => e.text === text);
    if (at >= 0) this.known.splice(at, 1);
    this.known.push({ text, tokens, slack });
    if (this.known.length > MEMORY) this.known.shift();
  }
}
