/**
 * Answer-eliciting suffixes appended after a thinking prefix to ask the model for its answer
 * without letting it think further. None closes the thinking: the probes read the model's belief
 * *inside* its trace, as the papers do.
 */

/** RaML (arXiv 2505.19815): L-hat is scored after this suffix; the reference answer follows `\boxed{`. */
export const RAML_SUFFIX = '\n\n**Final Answer**\n\\boxed{';

/** DEER: the trial-answer suffix forked at each reflection word; the model writes `{answer}` itself. */
export const DEER_TRIAL_SUFFIX = '\n**Final Answer**\n\\boxed';

/** Dynasor-CoT: the probe forked every T tokens. */
export const DYNASOR_PROBE_SUFFIX = '... Oh, I suddenly got the answer to the whole problem, **Final Answer**\n\n\\[ \\boxed{';
