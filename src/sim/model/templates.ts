import type { SimTemplate } from './types.ts';

/** Template families the simulator can speak; the card picks one. */
export type TemplateFamily = 'qwen2' | 'qwen3' | 'deepseek-r1';

export interface TemplateSettings {
  family: TemplateFamily;
  thinkOpen: string;
  thinkClose: string;
  /** Whether the rendered generation prompt already ends with `<think>\n` (Ollama's qwq template does not). */
  prefillThink: boolean;
}

type Message = { role: 'system' | 'user' | 'assistant'; content: string };

/** Turn markers of a family, used both to render and to read prompts back. */
export interface TurnMarkers {
  userStart: string;
  userEnd: string;
  assistantStart: string;
  assistantEnd: string;
  systemStart: string;
  systemEnd: string;
  /** The model's end-of-turn token (Ollama stops on it; it is never part of the output). */
  endOfTurn: string;
}

const CHATML: TurnMarkers = {
  userStart: '<|im_start|>user\n',
  userEnd: '<|im_end|>\n',
  assistantStart: '<|im_start|>assistant\n',
  assistantEnd: '<|im_end|>\n',
  systemStart: '<|im_start|>system\n',
  systemEnd: '<|im_end|>\n',
  endOfTurn: '<|im_end|>',
};

const DEEPSEEK: TurnMarkers = {
  userStart: '<｜User｜>',
  userEnd: '',
  assistantStart: '<｜Assistant｜>',
  assistantEnd: '<｜end▁of▁sentence｜>',
  systemStart: '',
  systemEnd: '',
  endOfTurn: '<｜end▁of▁sentence｜>',
};

export function markersFor(family: TemplateFamily): TurnMarkers {
  return family === 'deepseek-r1' ? DEEPSEEK : CHATML;
}

// Go templates in the shape Ollama reports for these families (tool handling left out: the
// simulator has no tools capability).
const CHATML_TEMPLATE = (prefill: string): string => `{{- if .Messages }}
{{- if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 -}}
{{- if eq .Role "user" }}<|im_start|>user
{{ .Content }}<|im_end|>
{{ else if eq .Role "assistant" }}<|im_start|>assistant
{{ .Content }}{{ if not $last }}<|im_end|>
{{ end }}
{{- end }}
{{- if and (ne .Role "assistant") $last }}<|im_start|>assistant
${prefill}{{ end }}
{{- end }}
{{- else }}
{{- if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}{{ if .Prompt }}<|im_start|>user
{{ .Prompt }}<|im_end|>
{{ end }}<|im_start|>assistant
${prefill}{{ end }}{{ .Response }}{{ if .Response }}<|im_end|>{{ end }}`;

const DEEPSEEK_TEMPLATE = (prefill: string): string => `{{- if .System }}{{ .System }}{{ end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1}}
{{- if eq .Role "user" }}<｜User｜>{{ .Content }}
{{- else if eq .Role "assistant" }}<｜Assistant｜>{{ .Content }}{{- if not $last }}<｜end▁of▁sentence｜>{{- end }}
{{- end }}
{{- if and $last (ne .Role "assistant") }}<｜Assistant｜>${prefill}{{- end }}
{{- end }}`;

export function createTemplate(settings: TemplateSettings): SimTemplate {
  const markers = markersFor(settings.family);
  const prefill = settings.prefillThink ? `${settings.thinkOpen}\n` : '';
  const ollamaTemplate = settings.family === 'deepseek-r1' ? DEEPSEEK_TEMPLATE(prefill) : CHATML_TEMPLATE(prefill);
  const render = (messages: Message[], continueLast: boolean): string => {
    let out = '';
    messages.forEach((message, i) => {
      const last = i === messages.length - 1;
      if (message.role === 'system') {
        out += settings.family === 'deepseek-r1' ? message.content : `${markers.systemStart}${message.content}${markers.systemEnd}`;
      } else if (message.role === 'user') {
        out += `${markers.userStart}${message.content}${markers.userEnd}`;
      } else {
        out += `${markers.assistantStart}${message.content}`;
        if (!(last && continueLast)) out += markers.assistantEnd;
      }
    });
    const lastMessage = messages[messages.length - 1];
    if (!(continueLast && lastMessage?.role === 'assistant')) out += `${markers.assistantStart}${prefill}`;
    return out;
  };
  return {
    family: settings.family === 'deepseek-r1' ? 'qwen2' : settings.family,
    ollamaTemplate,
    render,
    thinkOpen: settings.thinkOpen,
    thinkClose: settings.thinkClose,
    stop: settings.family === 'deepseek-r1' ? ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜User｜>', '<｜Assistant｜>'] : ['<|im_start|>', '<|im_end|>'],
  };
}

export interface ParsedPrompt {
  /** Text of the last user message (empty when there is none). */
  user: string;
  /** System text, when present (stop instructions may sit there). */
  system: string;
  /** Everything after the last assistant header: what the model has "already written". */
  assistant: string;
}

/**
 * Reads a rendered prompt back: the last user turn and the open assistant turn. Without an
 * assistant header after the last user turn, the assistant text is whatever follows the user
 * turn's end marker, or (no end marker) starts at the first thinking tag; the model's own output
 * always starts with that tag, so appending output to such a prompt never changes the question.
 */
export function parsePrompt(prompt: string, family: TemplateFamily, thinkOpen = '<think>'): ParsedPrompt {
  const markers = markersFor(family);
  const assistantAt = prompt.lastIndexOf(markers.assistantStart);
  const userAt = prompt.lastIndexOf(markers.userStart);
  let head: string;
  let assistant: string;
  if (assistantAt >= 0 && assistantAt > userAt) {
    assistant = prompt.slice(assistantAt + markers.assistantStart.length);
    head = prompt.slice(0, assistantAt);
  } else {
    const regionStart = userAt >= 0 ? userAt + markers.userStart.length : 0;
    const endAt = markers.userEnd ? prompt.indexOf(markers.endOfTurn, regionStart) : -1;
    const thinkAt = prompt.indexOf(thinkOpen, regionStart);
    if (endAt >= 0) {
      head = prompt.slice(0, endAt);
      assistant = prompt.slice(endAt + markers.endOfTurn.length).replace(/^\n/, '');
    } else if (thinkAt >= 0) {
      head = prompt.slice(0, thinkAt);
      assistant = prompt.slice(thinkAt);
    } else {
      head = prompt;
      assistant = '';
    }
  }
  const uAt = head.lastIndexOf(markers.userStart);
  let user = uAt >= 0 ? head.slice(uAt + markers.userStart.length) : head;
  const end = markers.userEnd ? user.indexOf(markers.endOfTurn) : -1;
  if (end >= 0) user = user.slice(0, end);
  let system = '';
  if (markers.systemStart) {
    const sAt = head.indexOf(markers.systemStart);
    if (sAt >= 0) {
      system = head.slice(sAt + markers.systemStart.length);
      const sEnd = system.indexOf(markers.endOfTurn);
      if (sEnd >= 0) system = system.slice(0, sEnd);
    }
  } else if (uAt > 0) {
    system = head.slice(0, uAt);
  }
  return { user, system, assistant };
}
