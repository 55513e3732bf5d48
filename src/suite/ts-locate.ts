import { readFile } from 'node:fs/promises';
import type * as TS from 'typescript';
import type { LineLocator } from '../core/validate.ts';

/**
 * Where a JSON pointer's value is written in a TypeScript suite: the suite's value is computed,
 * so this reads the source instead, from `export default defineSuite({ ... })` down through object
 * and array literals (and `const`s of the same file they name). It gives up, rather than guess,
 * where the source stops being literal (a call, a spread before the element, an import): the
 * error is then reported without a line, as before. A field the literal lacks (a missing required
 * one) points at the object that lacks it, as YAML's does.
 *
 * The TypeScript compiler parses (no type check). It is a development dependency, present in
 * most TypeScript projects; where it cannot be loaded, errors carry no line.
 */

type Ts = typeof TS;

async function loadTypeScript(): Promise<Ts | undefined> {
  try {
    const module = (await import('typescript')) as Ts & { default?: Ts };
    return module.default ?? module;
  } catch {
    return undefined;
  }
}

/** A locator for the suite file at `path`, or undefined when its source or the parser is unavailable. */
export async function typeScriptLocator(path: string): Promise<LineLocator | undefined> {
  const ts = await loadTypeScript();
  if (!ts) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return (pointer) => {
    const node = locate(ts, source, pointer);
    if (!node) return undefined;
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    return { line: line + 1, column: character + 1 };
  };
}

function unescapePointer(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The node a pointer names: a property's name, an array element, or the object missing the field. */
function locate(ts: Ts, source: TS.SourceFile, pointer: string): TS.Node | undefined {
  const parts = pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
  let at: TS.Node | undefined = defaultExport(ts, source);
  let value = at && literal(ts, source, at);
  for (const [i, part] of parts.entries()) {
    if (!value) return undefined;
    const step = child(ts, value, part);
    if (step === 'missing') return i === parts.length - 1 ? value : undefined;
    if (!step) return undefined;
    at = step.at;
    value = literal(ts, source, step.value);
  }
  return at;
}

function defaultExport(ts: Ts, source: TS.SourceFile): TS.Expression | undefined {
  for (const statement of source.statements) {
    if (ts.isExportAssignment(statement) && !statement.isExportEquals) return statement.expression;
  }
  return undefined;
}

/** The literal an expression stands for: through parentheses, `as`/`satisfies`, `defineSuite(...)` and same-file consts. */
function literal(ts: Ts, source: TS.SourceFile, node: TS.Node, depth = 0): TS.Node | undefined {
  if (depth > 20) return undefined;
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) {
    return literal(ts, source, node.expression, depth + 1);
  }
  if (ts.isCallExpression(node)) {
    const callee = node.expression;
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    const argument = node.arguments[0];
    return name === 'defineSuite' && argument && node.arguments.length === 1 ? literal(ts, source, argument, depth + 1) : undefined;
  }
  if (ts.isIdentifier(node)) {
    const initializer = constInitializer(ts, source, node.text);
    return initializer && literal(ts, source, initializer, depth + 1);
  }
  return node;
}

/** The initializer of a top-level `const name = ...` in the suite file. */
function constInitializer(ts: Ts, source: TS.SourceFile, name: string): TS.Expression | undefined {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration.initializer;
    }
  }
  return undefined;
}

type Step = { at: TS.Node; value: TS.Node } | 'missing' | undefined;

/** One pointer step into an object or array literal. */
function child(ts: Ts, node: TS.Node, part: string): Step {
  if (ts.isObjectLiteralExpression(node)) return property(ts, node, part);
  if (ts.isArrayLiteralExpression(node)) {
    if (!/^\d+$/.test(part)) return undefined;
    const index = Number(part);
    // A spread before the element shifts indices by an amount only running the code knows.
    if (node.elements.slice(0, index + 1).some((element) => ts.isSpreadElement(element))) return undefined;
    const element = node.elements[index];
    return element ? { at: element, value: element } : undefined;
  }
  return undefined;
}

function property(ts: Ts, node: TS.ObjectLiteralExpression, key: string): Step {
  // The last definition wins, as in JavaScript; a spread after it may override it.
  for (let i = node.properties.length - 1; i >= 0; i--) {
    const member = node.properties[i]!;
    if (ts.isSpreadAssignment(member)) return undefined;
    if (ts.isPropertyAssignment(member) && propertyName(ts, member.name) === key) return { at: member.name, value: member.initializer };
    if (ts.isShorthandPropertyAssignment(member) && member.name.text === key) return { at: member.name, value: member.name };
    if ((ts.isMethodDeclaration(member) || ts.isGetAccessorDeclaration(member)) && propertyName(ts, member.name) === key) return undefined;
  }
  return 'missing';
}

function propertyName(ts: Ts, name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}
