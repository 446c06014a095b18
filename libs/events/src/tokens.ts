/**
 * Typed DI tokens. inversify's `ServiceIdentifier<T>` for a symbol is just `symbol`, so
 * `container.get(sym)` returns `unknown`; a branded symbol carries T to our helpers.
 * We never rely on decorator metadata (tsx/esbuild does not emit it; see toolchain notes).
 */
declare const tokenType: unique symbol;

export type Token<T> = symbol & { readonly [tokenType]?: T };

/** The type a token resolves to. */
export type TokenType<K> = K extends Token<infer T> ? T : never;

/** A token with a readable description: it appears in inversify's own error messages. */
export function token<T>(description: string): Token<T> {
  return Symbol(`lesionseg.${description}`) as Token<T>;
}
