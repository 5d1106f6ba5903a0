import express from 'express'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { jsonAnswer } from '../../../server/src/http/json-answer.ts'

function appAnswering(body: unknown, seen: unknown[]) {
  const app = express()
  app.response.json = jsonAnswer((answered) => seen.push(answered))
  app.get('/x', (_req, res) => {
    res.status(201).json(body)
  })
  return app
}

describe('jsonAnswer', () => {
  it('answers UTF-8 JSON with its byte length and the status set, and shows the body first', async () => {
    const seen: unknown[] = []
    const body = { name: 'Zoë', warnings: [{ code: 'junk_user_id' }] }
    const response = await request(appAnswering(body, seen)).get('/x').expect(201)
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(body))))
    expect(response.body).toEqual(body)
    expect(seen).toEqual([body])
  })

  it('answers a HEAD request with the headers only', async () => {
    const response = await request(appAnswering({ status: 'ok' }, []))
      .head('/x')
      .expect(201)
    expect(response.headers['content-length']).toBe('15')
    expect(response.text).toBeUndefined()
  })
})
