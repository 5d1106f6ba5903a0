import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../server/src/config/env.ts'
import { redactDatabaseUrl } from '../../../server/src/store/open-store.ts'
import {
  advisoryKey,
  sortedAdvisoryKeys,
} from '../../../server/src/store/postgres/postgres-lock-keys.ts'
import { parsePostgresUrl } from '../../../server/src/store/postgres/postgres-url.ts'
import { notices } from '../../../server/src/store/postgres/postgres-notifier.ts'

describe('parsePostgresUrl', () => {
  it('takes the schema out of the URL and keeps the rest for the driver', () => {
    expect(
      parsePostgresUrl('postgres://u:p@db:5433/parley?schema=tenant_1&sslmode=require'),
    ).toEqual({ connection: 'postgres://u:p@db:5433/parley?sslmode=require', schema: 'tenant_1' })
  })

  it('keeps a Unix socket directory (`host=`) for the driver', () => {
    expect(
      parsePostgresUrl('postgres://parley@localhost/parley?host=/var/run/postgresql&schema=p'),
    ).toEqual({
      connection: 'postgres://parley@localhost/parley?host=%2Fvar%2Frun%2Fpostgresql',
      schema: 'p',
    })
  })

  it('uses the public schema by default', () => {
    expect(parsePostgresUrl('postgresql://db/parley').schema).toBe('public')
  })

  it.each(['Tenant', '1abc', 'a-b', 'a"b', 'x'.repeat(41)])(
    'refuses the schema name %j, which would end up in SQL text',
    (schema) => {
      expect(() => parsePostgresUrl(`postgres://db/parley?schema=${schema}`)).toThrow(ConfigError)
    },
  )
})

describe('sortedAdvisoryKeys', () => {
  it('gives every transaction the same lock order, without repeats', () => {
    const one = sortedAdvisoryKeys('s', ['user:U', 'anonymous:A', 'user:U'])
    const other = sortedAdvisoryKeys('s', ['anonymous:A', 'user:U'])
    expect(one).toEqual(other)
    expect(one).toHaveLength(2)
    expect(BigInt(one[0] ?? '0') < BigInt(one[1] ?? '0')).toBe(true)
  })

  it('keeps stores on different schemas apart', () => {
    expect(sortedAdvisoryKeys('a', ['user:U'])).not.toEqual(sortedAdvisoryKeys('b', ['user:U']))
  })

  it('gives the keys every earlier version gave, so instances of two versions still exclude each other', () => {
    expect(sortedAdvisoryKeys('public', ['user:U', 'anonymous:A', 'account:id:acme'])).toEqual([
      '-8628530990316378240',
      '-6792149190010210585',
      '-4689720460012534745',
    ])
    expect(advisoryKey('migrate:public')).toBe('5455289980565942615')
  })
})

describe('notices', () => {
  it('splits the keys of one commit into payloads PostgreSQL accepts, losing none', () => {
    const keys = Array.from({ length: 500 }, (_, index) => `profile:${'x'.repeat(30)}-${index}`)
    const payloads = notices('me', keys)
    expect(payloads.length).toBeGreaterThan(1)
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8_000)
    const decoded = payloads.map(
      (payload) => JSON.parse(payload) as { from: string; keys: string[] },
    )
    expect(decoded.every((notice) => notice.from === 'me')).toBe(true)
    expect(decoded.flatMap((notice) => notice.keys)).toEqual(keys)
  })

  it('sends nothing when nothing changed', () => {
    expect(notices('me', [])).toEqual([])
  })
})

describe('PostgreSQL settings', () => {
  it('reads pool size and timeouts from the environment, with defaults', () => {
    expect(loadConfig({}).postgres).toEqual({
      poolSize: 10,
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 5_000,
    })
    expect(
      loadConfig({
        PARLEY_PG_POOL_SIZE: '25',
        PARLEY_PG_CONNECT_TIMEOUT_MS: '1500',
        PARLEY_PG_STATEMENT_TIMEOUT_MS: '2500',
      }).postgres,
    ).toEqual({ poolSize: 25, connectTimeoutMs: 1_500, statementTimeoutMs: 2_500 })
  })

  it('names the variable when a pool size is not a positive integer', () => {
    expect(() => loadConfig({ PARLEY_PG_POOL_SIZE: '0' })).toThrow(/PARLEY_PG_POOL_SIZE/)
  })

  it('never logs a database password', () => {
    expect(redactDatabaseUrl('postgres://parley:s3cret@db:5432/parley')).toBe(
      'postgres://parley:***@db:5432/parley',
    )
    expect(redactDatabaseUrl('sqlite:./data/parley.db')).toBe('sqlite:./data/parley.db')
  })
})
