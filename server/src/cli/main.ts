import { runParley } from './parley-command.ts'

/** The `parley` process: runs the command line, then exits with its code. */
const code = await runParley(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readStdin: async () => {
    let text = ''
    for await (const chunk of process.stdin) text += String(chunk)
    return text
  },
})
process.exitCode = code
