/**
 * The reply of one /api/generate or /api/chat request, as Ollama writes it: NDJSON chunks when
 * streaming (the final one with done_reason, counts and durations), one aggregated object when not;
 * the thinking parser splitting `thinking` from the response when `think` is on; and the injected
 * mid-stream faults (cut socket, an error line, a stream without its done chunk).
 */
import type { ServerResponse } from 'node:http';
import type { FaultDecision } from './faults.ts';
import { OllamaMessages } from './http-error.ts';
import { sendJson } from './http-io.ts';
import type { LogprobEntry } from './run.ts';
import type { ThinkingParser } from './thinking.ts';

export interface OllamaReplySetup {
  res: ServerResponse;
  kind: 'generate' | 'chat';
  model: string;
  stream: boolean;
  parser: ThinkingParser | undefined;
  fault: FaultDecision | undefined;
}

export class OllamaReplyWriter {
  closed = false;
  struck = false;
  private lines: string[] = [];
  private headersSent = false;
  private allText = '';
  private allThinking = '';
  private readonly allEntries: LogprobEntry[] = [];

  constructor(private readonly setup: OllamaReplySetup) {}

  /** True when something was written or is waiting to be (an error must then go inside the stream). */
  get started(): boolean {
    return this.headersSent || this.lines.length > 0;
  }

  private shape(text: string, thinking: string, entries: LogprobEntry[], final?: Record<string, unknown>): Record<string, unknown> | undefined {
    const { kind, model, parser } = this.setup;
    const created_at = new Date().toISOString();
    if (kind === 'generate') {
      const chunk: Record<string, unknown> = { model, created_at, response: text };
      if (thinking !== '') chunk['thinking'] = thinking;
      chunk['done'] = final !== undefined;
      if (final) Object.assign(chunk, final);
      if (entries.length > 0) chunk['logprobs'] = entries;
      return chunk;
    }
    // Ollama's chat handler drops a chunk the thinking parser is still deciding (with its logprobs).
    if (parser && text === '' && thinking === '' && final === undefined) return undefined;
    const message: Record<string, unknown> = { role: 'assistant', content: text };
    if (thinking !== '') message['thinking'] = thinking;
    const chunk: Record<string, unknown> = { model, created_at, message, done: final !== undefined };
    if (final) Object.assign(chunk, final);
    if (entries.length > 0) chunk['logprobs'] = entries;
    return chunk;
  }

  emit(text: string, entries: LogprobEntry[], final?: Record<string, unknown>): void {
    let content = text;
    let thinking = '';
    if (this.setup.parser) ({ thinking, content } = this.setup.parser.add(text));
    if (!this.setup.stream) {
      this.allText += content;
      this.allThinking += thinking;
      this.allEntries.push(...entries);
      return;
    }
    const chunk = this.shape(content, thinking, entries, final);
    if (chunk) this.lines.push(`${JSON.stringify(chunk)}\n`);
  }

  writeLines(): void {
    if (!this.setup.stream || this.lines.length === 0 || this.closed) return;
    this.head();
    this.setup.res.write(this.lines.join(''));
    this.lines = [];
  }

  private head(): void {
    if (this.headersSent) return;
    this.setup.res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    this.headersSent = true;
  }

  /** An error after streaming began: Ollama can only append one `{"error"}` line (HTTP 200). */
  errorLine(message: string): void {
    this.lines.push(`${JSON.stringify({ error: message })}\n`);
    this.writeLines();
    this.setup.res.end();
  }

  /** The end of a successful generation: the final chunk, or the aggregated reply. */
  finish(finalText: string, finalEntries: LogprobEntry[], final: Record<string, unknown>): void {
    if (this.setup.stream) {
      this.emit(finalText, finalEntries, final);
      this.writeLines();
      this.setup.res.end();
      return;
    }
    this.emit(finalText, finalEntries);
    sendJson(this.setup.res, 200, this.shape(this.allText, this.allThinking, this.allEntries, final));
  }

  /** The injected mid-stream fault strikes now. */
  strike(): void {
    const { fault, res, stream } = this.setup;
    if (!fault || this.struck) return;
    this.struck = true;
    if (fault.kind === 'cut') {
      this.writeLines();
      res.socket?.destroy();
      this.closed = true;
    } else if (fault.kind === 'errorline') {
      if (stream) this.writeLines();
      if (stream && this.headersSent) {
        res.end(`${JSON.stringify({ error: OllamaMessages.runnerCrashed })}\n`);
      } else {
        this.lines = [];
        sendJson(res, 500, { error: OllamaMessages.runnerCrashed });
      }
    } else if (stream) {
      // nodone: the stream ends without a done chunk.
      this.writeLines();
      this.head();
      res.end();
    } else {
      sendJson(res, 200, this.shape(this.allText, this.allThinking, this.allEntries) ?? { model: this.setup.model });
    }
  }
}
