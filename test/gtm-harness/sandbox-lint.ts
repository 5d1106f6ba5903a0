/**
 * Rejects syntax GTM's sandboxed JavaScript does not run. The sandbox is ES5.1 plus arrow
 * functions, `const` and `let`; it has no `new`, no `this`, no globals except what `require`
 * returns. This lint is stricter than GTM where GTM's support is undocumented (template
 * literals, regex literals, spread, destructuring, `typeof`, `delete`).
 */
import { parse, type Node } from 'acorn'
import { full, simple } from 'acorn-walk'

/** One finding, with a 1-based line and 0-based column in the linted code. */
export interface LintProblem {
  message: string
  line: number
  column: number
}

type AnyNode = Node & Record<string, unknown>

const forbiddenTypes: Record<string, string> = {
  NewExpression: '`new` does not exist in the sandbox',
  ThisExpression: '`this` does not exist in the sandbox',
  ClassDeclaration: 'classes are not sandboxed JavaScript',
  ClassExpression: 'classes are not sandboxed JavaScript',
  TemplateLiteral: 'template literals are not documented for the sandbox; concatenate strings',
  TaggedTemplateExpression: 'tagged templates are not sandboxed JavaScript',
  SpreadElement: 'spread is not sandboxed JavaScript',
  RestElement: 'rest parameters are not sandboxed JavaScript',
  ObjectPattern: 'destructuring is not sandboxed JavaScript',
  ArrayPattern: 'destructuring is not sandboxed JavaScript',
  AssignmentPattern: 'default parameters are not sandboxed JavaScript',
  ForOfStatement: 'for...of is not sandboxed JavaScript',
  AwaitExpression: 'async code is not sandboxed JavaScript',
  YieldExpression: 'generators are not sandboxed JavaScript',
  ImportExpression: 'import() is not sandboxed JavaScript',
  MetaProperty: 'new.target / import.meta are not sandboxed JavaScript',
  ChainExpression: 'optional chaining is not sandboxed JavaScript',
  WithStatement: '`with` is not sandboxed JavaScript',
  Super: '`super` is not sandboxed JavaScript',
}

const forbiddenOperators: Record<string, string> = {
  typeof: 'use require("getType") instead of typeof',
  delete: 'use require("Object").delete instead of the delete operator',
  instanceof: 'instanceof does not exist in the sandbox (there are no constructors)',
  '**': 'the ** operator is not ES5',
  '??': 'the ?? operator is not ES5',
  '**=': 'the **= operator is not ES5',
  '??=': 'logical assignment is not ES5',
  '||=': 'logical assignment is not ES5',
  '&&=': 'logical assignment is not ES5',
}

/**
 * Lints sandboxed code (a template's code or a test's code). `globals` are the free names the
 * code may use besides those it declares: `require` and `data` for a template; the test API for
 * a test.
 */
export function lintSandboxedJs(code: string, globals: readonly string[]): LintProblem[] {
  let ast: Node
  try {
    ast = parse(code, {
      ecmaVersion: 2020,
      sourceType: 'script',
      allowReturnOutsideFunction: true,
      locations: true,
    })
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc
    return [
      {
        message: `syntax error: ${(error as Error).message}`,
        line: loc?.line ?? 1,
        column: loc?.column ?? 0,
      },
    ]
  }
  const problems: LintProblem[] = []
  const report = (node: Node, message: string) =>
    problems.push({ message, line: node.loc?.start.line ?? 0, column: node.loc?.start.column ?? 0 })

  const declarations = new Set<Node>()
  const declared = new Set<string>(globals)
  const declare = (node: unknown) => {
    const id = node as AnyNode | null
    if (id?.type === 'Identifier') {
      declarations.add(id)
      declared.add(id.name as string)
    }
  }

  full(ast, (raw) => {
    const node = raw as AnyNode
    const forbidden = forbiddenTypes[node.type]
    if (forbidden !== undefined) report(node, forbidden)
    if (node.type === 'Literal' && (node.regex !== undefined || node.bigint !== undefined)) {
      report(node, 'regex and bigint literals are not documented for the sandbox')
    }
    if ('operator' in node && typeof node.operator === 'string') {
      const message = forbiddenOperators[node.operator]
      if (message !== undefined) report(node, message)
    }
    if (
      node.type === 'Property' &&
      (node.shorthand || node.method || node.computed || node.kind !== 'init')
    ) {
      report(node, 'object literals take plain `key: value` pairs only (ES5)')
    }
    if (/Function/.test(node.type)) {
      if (node.async === true || node.generator === true)
        report(node, 'async functions and generators are not sandboxed JavaScript')
      declare(node.id)
      for (const param of node.params as unknown[]) declare(param)
    }
    if (node.type === 'VariableDeclarator') declare(node.id)
    if (node.type === 'CatchClause') declare(node.param)
    if (node.type === 'CallExpression' || /Function/.test(node.type)) {
      const list = (node.type === 'CallExpression' ? node.arguments : node.params) as Node[]
      const last = list[list.length - 1]
      const closing = node.type === 'CallExpression' ? node.end : (node.body as Node).start
      if (last !== undefined && /^\s*,/.test(code.slice(last.end, closing))) {
        report(last, 'trailing commas in calls and parameter lists are not ES5')
      }
    }
  })

  const checkReference = (node: Node) => {
    const id = node as AnyNode
    if (!declarations.has(id) && !declared.has(id.name as string)) {
      report(id, `\`${String(id.name)}\` is not defined: the sandbox has no globals; require() it`)
    }
  }
  // acorn-walk visits identifiers in binding and assignment position as `VariablePattern`, a
  // pseudo node type its typings do not list.
  const visitors = { Identifier: checkReference, VariablePattern: checkReference }
  simple(ast, visitors as Parameters<typeof simple>[1])
  return problems
}
