/**
 * The reply of one `/v1/completions` request, streaming (server-sent events: `data: {...}` per
 * chunk, a usage event when asked, `data: [DONE]`) or not (one JSON object), with the simulator's
 * injected faults as an OpenAI-compatible server would show them: a cut socket, an error event
 * mid-stream (vLLM sends `data: {"error": ...}` then `[DONE]`), a stream that ends without a
 * finish_reason or `[DONE]`.
 */
import type { ServerResponse } from 'node:http';
import type { FaultDecision } from './faults.ts';
import { OllamaMessages } from './http-error.ts';
import { jsonType, sendJson } from './http-io.ts';
import { appendGenerated, appendPrompt, emptyLegacy, vllmPromptLogprobs, type LegacyLogprobs, type PromptTokenScore } from './openai-logprobs.ts';
import type { CompletionsRequest } from './openai-request.ts';
import type { LogprobEntry, RunTotals } from './run.ts';
import type { TokenVocab } from './vocab.ts';

export interface WriterSetup {
  res: ServerResponse;
  request: CompletionsRequest;
  /** The model id as the request named it. */
  model: string;
  id: string;
  scores: PromptTokenScore[] | undefined;
  vocab: TokenVocab;
  /** A mid-stream fault (cut, errorline, nodone) due after this request's first chunks. */
  fault: FaultDecision | undefined;
}

export function openaiError(status: number, message: string): Record<string, unknown> {
  const type = status === 404 ? 'NotFoundError' : status >= 500 ? 'InternalServerError' : 'BadRequestError';
  return { object: 'error', message, type, param: null, code: status };
}

export class CompletionWriter {
  private readonly created = Math.floor(Date.now() / 1000);
  private events: string[] = [];
  private headersSent = false;
  private started = false;
  private text = '';
  private offset = 0;
  private readonly logprobs: LegacyLogprobs = emptyLegacy();
  closed = false;
  struck = false;

  constructor(private readonly setup: WriterSetup) {
    setup.res.on('close', () => {
      if (!setup.res.writableFinished) this.closed = true;
    });
  }

  private get stream(): boolean {
    return this.setup.request.stream;
  }

  private get k(): number | null {
    return this.setup.request.logprobs;
  }

  /** The echoed prompt (text and logprobs) and vLLM's prompt_logprobs go with the first chunk. */
  private opening(choice: Record<string, unknown>, logprobs: LegacyLogprobs | null): void {
    if (this.started) return;
    this.started = true;
    const { request, scores, vocab } = this.setup;
    if (request.echo) {
      choice['text'] = request.prompt + String(choice['text']);
      if (logprobs && scores) this.offset = appendPrompt(logprobs, scores, this.k ?? 0);
      else this.offset = request.prompt.length;
    }
    if (request.promptLogprobs !== null && scores) choice['prompt_logprobs'] = vllmPromptLogprobs(scores, request.promptLogprobs, vocab);
  }

  chunk(text: string, entries: LogprobEntry[]): void {
    if (!this.stream) {
      if (!this.started) {
        const choice: Record<string, unknown> = { text: '' };
        this.opening(choice, this.k === null ? null : this.logprobs);
        this.text += String(choice['text']);
        if (choice['prompt_logprobs']) this.promptLogprobs = choice['prompt_logprobs'];
      }
      this.text += text;
      if (this.k !== null) this.offset = appendGenerated(this.logprobs, entries, this.k, this.offset);
      return;
    }
    const logprobs = this.k === null ? null : emptyLegacy();
    const choice: Record<string, unknown> = { index: 0, text };
    this.opening(choice, logprobs);
    if (logprobs) this.offset = appendGenerated(logprobs, entries, this.k ?? 0, this.offset);
    else this.offset += text.length;
    Object.assign(choice, { logprobs, finish_reason: null, stop_reason: null });
    this.event({ choices: [choice] });
  }

  private promptLogprobs: unknown;

  private event(payload: Record<string, unknown>): void {
    this.events.push(`data: ${JSON.stringify({ id: this.setup.id, object: 'text_completion', created: this.created, model: this.setup.model, ...payload })}\n\n`);
  }

  flush(): void {
    if (!this.stream || this.events.length === 0 || this.closed) return;
    if (!this.headersSent) {
      this.setup.res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
      this.headersSent = true;
    }
    this.setup.res.write(this.events.join(''));
    this.events = [];
  }

  /** The end of a successful generation. */
  finish(totals: RunTotals): void {
    if (totals.finalText !== '' || totals.finalEntries.length > 0) this.chunk(totals.finalText, totals.finalEntries);
    const usage = { prompt_tokens: totals.promptEvalCount, completion_tokens: totals.evalCount, total_tokens: totals.promptEvalCount + totals.evalCount };
    if (!this.stream) {
      if (!this.started) this.chunk('', []);
      const choice: Record<string, unknown> = { index: 0, text: this.text, logprobs: this.k === null ? null : this.logprobs, finish_reason: totals.doneReason, stop_reason: null };
      if (this.promptLogprobs !== undefined) choice['prompt_logprobs'] = this.promptLogprobs;
      sendJson(this.setup.res, 200, { id: this.setup.id, object: 'text_completion', created: this.created, model: this.setup.model, choices: [choice], usage });
      return;
    }
    const choice: Record<string, unknown> = { index: 0, text: '' };
    this.opening(choice, null);
    Object.assign(choice, { logprobs: null, finish_reason: totals.doneReason, stop_reason: null });
    this.event({ choices: [choice] });
    if (this.setup.request.includeUsage) this.event({ choices: [], usage });
    this.events.push('data: [DONE]\n\n');
    this.flush();
    this.setup.res.end();
  }

  /** An error after the reply began: one error event, then [DONE], as vLLM does. */
  failMidStream(message: string): boolean {
    if (!this.stream || (!this.headersSent && this.events.length === 0)) return false;
    this.events.push(`data: ${JSON.stringify({ error: openaiError(500, message) })}\n\n`, 'data: [DONE]\n\n');
    this.flush();
    this.setup.res.end();
    return true;
  }

  /** The injected mid-stream fault strikes now. */
  strike(): void {
    const fault = this.setup.fault;
    if (!fault || this.struck) return;
    this.struck = true;
    const { res } = this.setup;
    if (fault.kind === 'cut') {
      this.flush();
      res.socket?.destroy();
      this.closed = true;
    } else if (fault.kind === 'errorline') {
      if (!this.failMidStream(OllamaMessages.runnerCrashed)) {
        this.events = [];
        sendJson(res, 500, openaiError(500, OllamaMessages.runnerCrashed));
      }
    } else if (this.stream) {
      // nodone: the stream just ends, without a finish_reason or [DONE].
      this.flush();
      if (!this.headersSent) res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
      res.end();
    } else {
      res.writeHead(200, { 'Content-Type': jsonType });
      res.end(JSON.stringify({ id: this.setup.id, object: 'text_completion', created: this.created, model: this.setup.model, choices: [{ index: 0, text: this.text, logprobs: null, finish_reason: null }] }));
    }
  }
}
