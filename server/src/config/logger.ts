import { pino } from 'pino'

/** What the container logs through; pino in production, a silent one in tests. */
export type Logger = Pick<pino.Logger, 'debug' | 'info' | 'warn' | 'error'>

/** Structured JSON logs on stdout at `level`. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'parley' } })
}

/** A logger that drops everything, for tests. */
export const silentLogger: Logger = pino({ level: 'silent' })
