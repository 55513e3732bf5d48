/**
 * A simulator serving a problem it has no answer for (not a generated family, not in `--answers`)
 * answers with a guess, so a real-dataset suite scores near 0% with no error anywhere. It says so:
 * every such response carries `X-Thinkprobe-Sim: no-answer`, and the server logs one line per
 * problem (the first time it sees it) to `onNotice`.
 */
import type { ServerResponse } from 'node:http';
import type { SimModel } from '../model/types.ts';
import type { PromptReading } from '../model/model.ts';

export const NO_ANSWER_HEADER = 'X-Thinkprobe-Sim';
export const NO_ANSWER_VALUE = 'no-answer';

/** Questions quoted in the log line are cut to this many characters (at a word boundary). */
const QUOTED = 80;

interface ReadsPrompts {
  readPrompt(prompt: string): PromptReading;
}

function readsPrompts(model: SimModel): model is SimModel & ReadsPrompts {
  return typeof (model as Partial<ReadsPrompts>).readPrompt === 'function';
}

function quote(question: string): string {
  // Problem text is client input: no control or bidi characters reach the server's log.
  const flat = question.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (flat.length <= QUOTED) return flat;
  const space = flat.lastIndexOf(' ', QUOTED);
  return `${flat.slice(0, space > QUOTED / 2 ? space : QUOTED)} …`;
}

/** The one log line for a problem the model has no answer for. */
export function noAnswerLine(model: string, question: string): string {
  return `thinkprobe sim: ${model} has no answer for "${quote(question)}": it answers with a guess (start the simulator with --answers FILE holding this problem, or run with --model sim:${model} to use the suite's own answers)`;
}

export class NoAnswerNotices {
  private readonly seen = new Set<string>();
  constructor(private readonly onNotice: (line: string) => void) {}

  /** Marks the response and logs the problem once, when `model` would only guess `prompt`'s answer. */
  check(model: SimModel, prompt: string, res: ServerResponse): void {
    if (!readsPrompts(model)) return;
    const reading = model.readPrompt(prompt);
    if (reading.source !== 'guess') return;
    if (!res.headersSent) res.setHeader(NO_ANSWER_HEADER, NO_ANSWER_VALUE);
    const key = `${model.name}\u0000${reading.question.replace(/\s+/g, ' ')}`;
    if (this.seen.has(key)) return;
    if (this.seen.size > 100_000) this.seen.clear();
    this.seen.add(key);
    this.onNotice(noAnswerLine(model.name, reading.question));
  }
}
