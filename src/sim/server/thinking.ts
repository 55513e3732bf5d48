/**
 * Splits streamed model text into thinking and content the way Ollama's generic thinking parser
 * does for templates with <think>/</think> tags: leading whitespace is skipped; if the output opens
 * with the opening tag, everything up to the closing tag is thinking (whitespace after either tag is
 * dropped); if it starts with anything else there is no thinking at all. A partial closing tag at the
 * end of a chunk is held back until the next chunk decides it.
 */

type State = 'lookingForOpening' | 'thinkingStartedEatingWhitespace' | 'thinking' | 'doneEatingWhitespace' | 'done';

const leadingSpace = /^\s+/u;

export class ThinkingParser {
  private state: State = 'lookingForOpening';
  private acc = '';

  constructor(
    private readonly openingTag: string,
    private readonly closingTag: string,
  ) {}

  /** Returns the thinking and the content this chunk releases (either may be empty). */
  add(chunk: string): { thinking: string; content: string } {
    this.acc += chunk;
    let thinking = '';
    let content = '';
    for (;;) {
      const step = this.eat();
      thinking += step.thinking;
      content += step.content;
      if (!step.again) break;
    }
    return { thinking, content };
  }

  private eat(): { thinking: string; content: string; again: boolean } {
    const trimmed = this.acc.replace(leadingSpace, '');
    switch (this.state) {
      case 'lookingForOpening': {
        if (trimmed.startsWith(this.openingTag)) {
          const after = trimmed.slice(this.openingTag.length).replace(leadingSpace, '');
          this.acc = after;
          this.state = after === '' ? 'thinkingStartedEatingWhitespace' : 'thinking';
          return { thinking: '', content: '', again: true };
        }
        if (this.openingTag.startsWith(trimmed)) return { thinking: '', content: '', again: false };
        this.state = 'done';
        const untrimmed = this.acc;
        this.acc = '';
        return { thinking: '', content: untrimmed, again: false };
      }
      case 'thinkingStartedEatingWhitespace':
        if (trimmed === '') return { thinking: '', content: '', again: false };
        this.state = 'thinking';
        this.acc = trimmed;
        return { thinking: '', content: '', again: true };
      case 'thinking': {
        const acc = this.acc;
        const index = acc.indexOf(this.closingTag);
        if (index !== -1) {
          const remaining = acc.slice(index + this.closingTag.length).replace(leadingSpace, '');
          this.acc = '';
          this.state = remaining === '' ? 'doneEatingWhitespace' : 'done';
          return { thinking: acc.slice(0, index), content: remaining, again: false };
        }
        const overlap = overlapLength(acc, this.closingTag);
        if (overlap > 0) {
          this.acc = acc.slice(acc.length - overlap);
          return { thinking: acc.slice(0, acc.length - overlap), content: '', again: false };
        }
        this.acc = '';
        return { thinking: acc, content: '', again: false };
      }
      case 'doneEatingWhitespace':
        if (trimmed !== '') this.state = 'done';
        this.acc = '';
        return { thinking: '', content: trimmed, again: false };
      case 'done': {
        const acc = this.acc;
        this.acc = '';
        return { thinking: '', content: acc, again: false };
      }
    }
  }
}

/** Length of the longest suffix of `text` that is a prefix of `tag`. */
function overlapLength(text: string, tag: string): number {
  for (let length = Math.min(tag.length, text.length); length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}
