import type { Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import {
  anonymousCookieName,
  cookieValue,
  readAnonymousCookie,
  writeAnonymousCookie,
} from '../../../server/src/http/anonymous-cookie.ts'

/** The `Set-Cookie` value `writeAnonymousCookie` makes, as a browser would send it back. */
function cookieFor(anonymousId: string, secrets: readonly string[]): string {
  let set = ''
  const res = {
    cookie: (name: string, value: string) => {
      set = `${name}=${encodeURIComponent(value)}`
    },
  } as unknown as Response
  writeAnonymousCookie({ secure: false } as Request, res, anonymousId, {
    secrets,
    domain: undefined,
  })
  return set
}

const requestWith = (cookie: string | undefined) => ({ headers: { cookie } }) as Request

describe('the anonymous-id cookie', () => {
  it('reads back the id it signed, among other cookies', () => {
    const cookie = `_ga=GA1.2.3; ${cookieFor('a-1', ['s1'])}; theme=dark`
    expect(readAnonymousCookie(requestWith(cookie), ['s1'])).toBe('a-1')
  })

  it('accepts a cookie signed with an older secret while the secrets rotate', () => {
    const cookie = cookieFor('a-1', ['old'])
    expect(readAnonymousCookie(requestWith(cookie), ['new', 'old'])).toBe('a-1')
    expect(readAnonymousCookie(requestWith(cookie), ['new'])).toBeUndefined()
  })

  it('treats a tampered, unsigned, junk or missing cookie as none', () => {
    const good = cookieFor('a-1', ['s1'])
    const tampered = good.replace('a-1', 'a-2')
    expect(readAnonymousCookie(requestWith(tampered), ['s1'])).toBeUndefined()
    expect(readAnonymousCookie(requestWith(`${anonymousCookieName}=a-1`), ['s1'])).toBeUndefined()
    expect(readAnonymousCookie(requestWith(cookieFor('undefined', ['s1'])), ['s1'])).toBeUndefined()
    expect(readAnonymousCookie(requestWith(undefined), ['s1'])).toBeUndefined()
    expect(readAnonymousCookie(requestWith(`${anonymousCookieName}=%E0%A4%A`), ['s1'])).toBe(
      undefined,
    )
  })

  it('finds one cookie by exact name, quoted or URL-encoded', () => {
    expect(cookieValue('xparley_aid=1; parley_aid=2', 'parley_aid')).toBe('2')
    expect(cookieValue('parley_aid="a%20b"', 'parley_aid')).toBe('a b')
    expect(cookieValue('a=1;b=2', 'parley_aid')).toBeUndefined()
  })
})
