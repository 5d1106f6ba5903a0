import type { Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import {
  anonymousCookieName,
  cookieValue,
  readAnonymousCookie,
  writeAnonymousCookie,
} from '../../../server/src/http/anonymous-cookie.ts'

/** The headers a response got: the part of `Response` the cookie writer touches. */
function fakeResponse(): Response & { headers: Map<string, unknown> } {
  const headers = new Map<string, unknown>()
  return {
    headers,
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), value),
  } as unknown as Response & { headers: Map<string, unknown> }
}

/** The `Set-Cookie` header `writeAnonymousCookie` makes. */
function setCookie(
  anonymousId: string,
  secrets: readonly string[],
  options: { secure?: boolean; domain?: string } = {},
): string {
  const res = fakeResponse()
  writeAnonymousCookie({ secure: options.secure ?? false } as Request, res, anonymousId, {
    secrets,
    domain: options.domain,
  })
  return String(res.headers.get('set-cookie'))
}

/** The cookie `writeAnonymousCookie` sets, as a browser would send it back. */
function cookieFor(anonymousId: string, secrets: readonly string[]): string {
  return setCookie(anonymousId, secrets).split(';', 1)[0] ?? ''
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

  it('sets an HttpOnly, SameSite=Lax cookie for 400 days, Secure and with a domain when asked', () => {
    const before = Date.now()
    const header = setCookie('a-1', ['s1'], { secure: true, domain: '.example.com' })
    expect(header).toMatch(
      /^parley_aid=s%3Aa-1\.[\w%]+; Max-Age=34560000; Domain=\.example\.com; Path=\/; Expires=[^;]+ GMT; HttpOnly; Secure; SameSite=Lax$/,
    )
    const expires = Date.parse(/Expires=([^;]+)/.exec(header)?.[1] ?? '')
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 34_560_000_000)
    expect(expires).toBeLessThanOrEqual(Date.now() + 34_560_000_000)
    expect(setCookie('a-1', ['s1'])).not.toMatch(/Secure|Domain/)
  })

  it('signs each id with the first secret, the same whether or not it was signed before', () => {
    expect(cookieFor('a-1', ['s1'])).toBe(cookieFor('a-1', ['s1']))
    expect(cookieFor('a-1', ['s2', 's1'])).not.toBe(cookieFor('a-1', ['s1']))
    expect(readAnonymousCookie(requestWith(cookieFor('a-1', ['s2', 's1'])), ['s2'])).toBe('a-1')
    expect(readAnonymousCookie(requestWith(cookieFor('a-1', ['s1'])), ['s2'])).toBeUndefined()
    // An id that needs URL-encoding, written twice (the second from the cache).
    for (let n = 0; n < 2; n += 1) {
      expect(readAnonymousCookie(requestWith(cookieFor('ä b;c', ['s1'])), ['s1'])).toBe('ä b;c')
    }
  })

  it('adds its cookie to those the response already sets', () => {
    const res = fakeResponse()
    res.setHeader('Set-Cookie', 'other=1')
    writeAnonymousCookie({ secure: false } as Request, res, 'a-1', {
      secrets: ['s1'],
      domain: undefined,
    })
    const headers = res.headers.get('set-cookie') as string[]
    expect(headers[0]).toBe('other=1')
    expect(headers[1]).toMatch(/^parley_aid=s%3Aa-1\./)
  })

  it('finds one cookie by exact name, quoted or URL-encoded', () => {
    expect(cookieValue('xparley_aid=1; parley_aid=2', 'parley_aid')).toBe('2')
    expect(cookieValue('parley_aid="a%20b"', 'parley_aid')).toBe('a b')
    expect(cookieValue('a=1;b=2', 'parley_aid')).toBeUndefined()
  })
})
