import type { Writable } from 'node:stream'
import { pino } from 'pino'
import pretty from 'pino-pretty'

/** What the container logs through; pino in production, a silent one in tests. */
export type Logger = Pick<pino.Logger, 'debug' | 'info' | 'warn' | 'error'>

/** `json`: one JSON object a line. `pretty`: one readable line a record, same fields. */
export type LogFormat = 'json' | 'pretty'

/**
 * The format for `PARLEY_LOG_FORMAT`: `json` or `pretty` as set; `auto` (the default) is pretty
 * when stdout is a terminal outside production, JSON otherwise (a log shipper reads JSON).
 */
export function chooseLogFormat(
  setting: 'auto' | LogFormat,
  stdout: { isTTY?: boolean },
  env: string,
): LogFormat {
  if (setting !== 'auto') return setting
  return stdout.isTTY === true && env !== 'production' ? 'pretty' : 'json'
}

/**
 * Structured logs at `level` on stdout (or `destination`): JSON lines, or in `pretty` format
 * one line a record (`[12:00:00.000] INFO: message {"service":"parley","port":8080,…}`), coloured on a
 * terminal. Written synchronously in both, so the last lines before an exit are never lost.
 */
export function createLogger(
  level: string,
  options: { format?: LogFormat; destination?: Writable & { isTTY?: boolean } } = {},
): Logger {
  const settings = { level, base: { service: 'parley' } }
  if (options.format !== 'pretty') {
    return options.destination === undefined ? pino(settings) : pino(settings, options.destination)
  }
  const destination = options.destination ?? process.stdout
  const stream = pretty({
    destination,
    sync: true,
    singleLine: true,
    colorize: destination.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
  })
  return pino(settings, stream)
}

/** A logger that drops everything, for tests. */
export const silentLogger: Logger = pino({ level: 'silent' })
