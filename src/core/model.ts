/**
 * The core model: the value types every stage shares, declared once. Plain data only (no
 * behaviour, no imports), so the lowest stage can hold it and every later one can name it.
 *
 * - `Problem`: what is asked and the reference answer.
 * - `StoredTrace`: the plain data of a trace (segments with provenance). The live trace the engine
 *   builds (`trace/trace.ts`) carries the server's full tokens; this is what a result keeps of it.
 * - `Result`: one problem x intervention x sample, from the engine to the reports. The engine
 *   produces its fields; grading sets `correct`/`extracted`, the confidence stage adds
 *   `confidence`, `reflections` and `probeBounds`. The store keeps it, checks, golden files and
 *   reports read it (through `ResultRow`), results.jsonl is written from it.
 * - `ResultRow`: the flat view of a result without its trace (see there why it is a type of its own).
 * - `RunMeta`: what is recorded about a run when it begins.
 */

/** A problem as every stage sees it: the question put to the model and its reference answer. */
export interface Problem {
  /** Stable id, unique within a suite (dataset id, or `family/seed/difficulty` for generated ones). */
  id: string;
  /** The question text exactly as it goes into the prompt. */
  question: string;
  /** Reference final answer as a string (LaTeX allowed), e.g. `42`, `\frac{2}{3}`, `025`. */
  answer: string;
  /** Where the problem came from: a generated family name or a dataset name. */
  source?: string;
  /** 1 (easy) .. 5 (hard); datasets map their own levels onto this scale. */
  difficulty?: number;
  /** Multiple-choice options, when the problem is multiple choice (letters A, B, ...). */
  choices?: string[];
  /** Anything else the dataset carried (subject, url, ...), kept for reports. */
  meta?: Record<string, string | number | boolean>;
}

/** A generated token as a result keeps it: its logprob, and its alternatives when they were recorded. */
export interface StoredToken {
  text: string;
  logprob: number;
  top?: { text: string; logprob: number }[];
}

/** A trace segment with provenance: the rendered prompt, text the model generated, or text an intervention injected. */
export type StoredSegment =
  | { kind: 'prompt'; text: string }
  | { kind: 'injected'; text: string; label: string; tokens?: number }
  | { kind: 'generated'; text: string; tokens: StoredToken[] };

/** The plain data of a trace, as stored with its result. */
export type StoredTrace = StoredSegment[];

/** One probe along the thinking: a forked trial answer (DEER, Dynasor, probes every N tokens). */
export interface ProbeRecord {
  /** Thinking tokens before the probe. */
  position: number;
  kind: string;
  suffix: string;
  /** Generated text after the suffix (up to the answer's end). */
  text: string;
  /** The answer inside the box, when the probe closed one. */
  answer: string | undefined;
  /** Mean token probability of the answer tokens (through the closing brace). */
  meanProb: number;
  tokens: number;
  /** Whether the probe's answer equals the reference (only when the engine was given a grader). */
  correct?: boolean;
}

/** Text an intervention put into the trace, at a thinking-token position. */
export interface InjectionRecord {
  position: number;
  text: string;
  label: string;
}

/** An emulated ban: where a banned word was replaced by the best allowed alternative. */
export interface SubstitutionRecord {
  position: number;
  banned: string;
  chosen: string;
}

/** An early exit: where and why. */
export interface ExitRecord {
  position: number;
  reason: string;
  confidence?: number;
}

/** Server work in tokens: new prefill (by the backend's cache model) and decoded. */
export interface TokenCount {
  prefill: number;
  decoded: number;
}

/** One confidence probe along a thinking trace. */
export interface ConfidencePoint {
  /** Thinking tokens before the probe. */
  position: number;
  /** position / the trace's thinking tokens, 0..1. */
  normalized: number;
  /** RaML's L-hat: teacher-forced negative mean log-probability of the reference answer. */
  lhat?: number;
  /** The model's probability of the right answer at this point, when measured. */
  pCorrect?: number;
  /** The L-hat is only a lower bound (a reference token fell outside the top 20): checks leave such points out. */
  bounded?: boolean;
  /** Character offset of the probe in the text after the prompt (where the trace viewer marks it). */
  offset?: number;
}

/** A reflection word in the thinking ("Wait", "Alternatively", ...), at a thinking-token position. */
export interface ReflectionMark {
  position: number;
  word: string;
}

/**
 * L-hat probes measured on a result, how many were only top-k bounds (left out of the checks'
 * confidence), and the most alternatives the server returned for any of its tokens against how many
 * were asked: skip reasons name the real cause when every probe was a bound.
 */
export interface ProbeBounds {
  probes: number;
  bounded: number;
  alternatives: number;
  asked: number;
}

/** One problem x intervention x sample, from the engine to the reports. */
export interface Result {
  /** `problemId|label|sample`: the row key in the store and in results.jsonl. */
  key: string;
  runId: string;
  problemId: string;
  sample: number;
  seed: number;
  /** Content address of the trace tree this result hangs on. */
  tree: string;
  /** The intervention: its type, the suite's label for it (the name checks and reports use) and its parameters. */
  intervention: { type: string; label: string; params: Record<string, unknown> };
  trace: StoredTrace;
  thinking: string;
  /** The raw text after the thinking closed ('' when it never closed). */
  answer: string;
  /** The final answer read from `answer`: the engine's extraction, replaced by the grader's when graded (null when none). */
  extracted: string | null;
  /** Whether it equals the reference; null until graded (the engine grades only when given a grader). */
  correct: boolean | null;
  counts: { thinking: number; answer: number; generated: number; injected: number | null; injectedChars: number };
  capFired: boolean;
  cap: number | null;
  exit: ExitRecord | null;
  probes: ProbeRecord[];
  injections: InjectionRecord[];
  substitutions: SubstitutionRecord[];
  notes: string[];
  /** Set when this result could not be produced (e.g. its prompt does not fit num_ctx): `problem <id>: <reason>`. Such a result is never correct. */
  error?: string;
  cost: {
    /** As if this intervention ran alone (its own path, KV reuse within it, nothing shared). */
    alone: TokenCount & { total: number };
    /** Its share of what its tree spent; replayed requests count what they cost when first computed, so a resumed run equals an uninterrupted one. */
    tree: TokenCount & { wallMs: number; total: number };
  };
  /** The confidence curve: probe positions with L-hat where it was measured (set by the confidence stage). */
  confidence?: ConfidencePoint[];
  /** Reflection words in the thinking (set by the confidence stage). */
  reflections?: ReflectionMark[];
  /** Set when L-hat was measured on this result. */
  probeBounds?: ProbeBounds;
}

/** A result after grading and the confidence stage: the same object with those fields filled. */
export type GradedResult = Result & { correct: boolean; confidence: ConfidencePoint[]; reflections: ReflectionMark[] };

/**
 * A result as checks, golden files and reports read it: flat, with the intervention by its label,
 * and without the trace. A type of its own, not `Result`, because it is a public, serialized view:
 * user-written checks (`property`) receive these rows, golden files and the report's data store
 * them, and a trace (megabytes with alternatives) has no place in any of them. Built from a
 * `GradedResult` by `runner/assemble.ts` (`checkRow`, `reportResult`).
 */
export interface ResultRow {
  problemId: string;
  /** The intervention's label (see src/suite/labels.ts). */
  intervention: string;
  /** Sample index, 0-based. */
  sample: number;
  correct: boolean;
  /** The extracted final answer, when there was one. */
  answer?: string;
  thinkingTokens: number;
  answerTokens: number;
  /** Whether a budget cap closed the thinking (the model did not close it itself). */
  capFired: boolean;
  confidence: ConfidencePoint[];
  reflections: ReflectionMark[];
  /** Set when the result could not be produced (the answer is then not graded as correct). */
  error?: string;
  probeBounds?: ProbeBounds;
}

/** What is recorded about a run when it begins (a resumed run keeps its first record). */
export interface RunMeta {
  runId: string;
  suite: string;
  model: string;
  startedAt: string;
  /** Environment recorded with the run: server version, digest, options, thinkprobe version... */
  environment: Record<string, unknown>;
}
