/**
 * Which trace tree a request belongs to, so every request of one tree goes to the same host and
 * reuses its prefix cache. All requests of one problem x sample carry the same seed and start with
 * the same rendered user turn; branches (caps, probes, "Wait") differ only after the assistant
 * turn opens. So the tree is (seed, prompt up to the assistant-turn marker). For templates whose
 * marker is unknown, a request joins the tree whose first prompt it extends (or that extends it).
 */
import { createHash } from 'node:crypto';

/** Where the assistant turn opens in the built-in templates (ChatML for QwQ/Qwen3, DeepSeek-R1). */
export const ASSISTANT_MARKERS: readonly string[] = ['<|im_start|>assistant', '<｜Assistant｜>'];

function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

/** The prompt up to and including the first assistant-turn marker, or undefined when none occurs. */
export function userTurn(prompt: string, markers: readonly string[] = ASSISTANT_MARKERS): string | undefined {
  let end = -1;
  for (const marker of markers) {
    const at = prompt.indexOf(marker);
    if (at >= 0 && (end < 0 || at + marker.length < end)) end = at + marker.length;
  }
  return end < 0 ? undefined : prompt.slice(0, end);
}

/** Maps requests to tree keys; remembers the first prompt of trees without a known marker. */
export class TreeKeys {
  private readonly roots: string[] = [];

  /** `tree`: the problem x sample's tree; `problem`: all samples of the problem (for requests without a seed). */
  key(prompt: string, seed: number | undefined): { tree: string; problem: string } {
    const turn = userTurn(prompt) ?? this.root(prompt);
    const problem = digest(turn);
    return { tree: `${seed ?? 'any'}:${problem}`, problem };
  }

  private root(prompt: string): string {
    const found = this.roots.find((r) => prompt.startsWith(r) || r.startsWith(prompt));
    if (found !== undefined) return found;
    this.roots.push(prompt);
    return prompt;
  }
}
