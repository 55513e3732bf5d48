/**
 * Integer ids for the simulator's string tokens, so /api/generate can return Ollama's (deprecated)
 * `context` array and accept it back. Ids are assigned on first sight, per server.
 * Also caches the UTF-8 bytes of tokens for logprob entries.
 */
export class TokenVocab {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];
  private readonly bytes = new Map<string, number[]>();

  idsOf(tokens: readonly string[]): number[] {
    return tokens.map((token) => {
      let id = this.ids.get(token);
      if (id === undefined) {
        id = this.texts.length;
        this.ids.set(token, id);
        this.texts.push(token);
      }
      return id;
    });
  }

  /** The text of a context array, or undefined when an id was never issued by this server. */
  textOf(ids: readonly number[]): string | undefined {
    let text = '';
    for (const id of ids) {
      const token = this.texts[id];
      if (token === undefined) return undefined;
      text += token;
    }
    return text;
  }

  bytesOf(token: string): number[] {
    let cached = this.bytes.get(token);
    if (cached === undefined) {
      cached = [...Buffer.from(token, 'utf8')];
      if (this.bytes.size < 200_000) this.bytes.set(token, cached);
    }
    return cached;
  }
}
