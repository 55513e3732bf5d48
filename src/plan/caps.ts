/** s1's cap, the default: close the thinking and ask for the answer. `{close}` is the template's close delimiter. */
export const S1_CLOSE = '\n{close}\n\nFinal Answer:';
