import { describe, expect, it } from 'vitest'
import { lintSandboxedJs } from '../gtm-harness/sandbox-lint.ts'

const globals = ['require', 'data', 'undefined']
const messages = (code: string) => lintSandboxedJs(code, globals).map((problem) => problem.message)

describe('sandbox syntax lint', () => {
  it('accepts ES5 with arrow functions, const, let and a top-level return', () => {
    const code = `const getType = require('getType');
let list = [1, 2,];
var object = { a: 1, 'b': [2], };
function helper(x) { return x + list.length; }
list.forEach((item) => helper(item));
for (let i = 0; i < 2; i++) { object.a += i; }
for (const key in object) { helper(key); }
if (getType(data) !== 'object') return data.gtmOnFailure();
data.gtmOnSuccess();`
    expect(messages(code)).toEqual([])
  })

  it.each([
    ['new', `const d = new Date();`, '`new`'],
    ['this', `function f() { return this; }`, '`this`'],
    ['class', `class A {}`, 'classes'],
    ['template literal', 'const s = `a${1}`;', 'template literals'],
    ['regex literal', `const r = /a/;`, 'regex'],
    ['spread', `const a = [...[1]];`, 'spread'],
    ['destructuring', `const { a } = data;`, 'destructuring'],
    ['default parameter', `function f(a = 1) { return a; }`, 'default parameters'],
    ['async', `const f = async () => 1;`, 'async'],
    ['optional chaining', `const a = data?.a;`, 'optional chaining'],
    ['nullish', `const a = data.a ?? 1;`, '??'],
    ['typeof', `const t = typeof data;`, 'getType'],
    ['delete', `delete data.a;`, 'Object").delete'],
    ['shorthand property', `const a = 1; const o = { a };`, 'key: value'],
    ['trailing comma in a call', `data.gtmOnSuccess(1,);`, 'trailing commas'],
    ['a browser global', `window.location.href = 'x';`, '`window` is not defined'],
    ['an undeclared built-in', `const n = Math.random();`, '`Math` is not defined'],
    ['a syntax error', `const = ;`, 'syntax error'],
  ])('rejects %s', (_name, code, expected) => {
    expect(messages(code).join('\n')).toContain(expected)
  })

  it('reports the line and column of a problem', () => {
    expect(lintSandboxedJs(`const a = 1;\nconst b = new Date();`, globals)[0]).toMatchObject({
      line: 2,
      column: 10,
    })
  })
})
