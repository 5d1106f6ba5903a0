import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A site on `https://127.0.0.1:<port>` that serves one page and proxies the rest to a container. */
export interface TestSite {
  url: string
  close: () => Promise<void>
}

/**
 * A throwaway self-signed certificate for 127.0.0.1, made with the system's openssl. GTM only
 * injects `https://` scripts, so the site (and the container behind it) must be served over TLS.
 */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'parley-tls-'))
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    )
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Serves the page (built from the site's own origin) at `/` and forwards every other path to the container, the way a site routes its
 * container same-origin (the deployment docs/gtm.md recommends): the page, the client script and
 * the `/v1/web/*` calls share one origin.
 */
export async function startTestSite(
  containerUrl: string,
  page: (origin: string) => string,
): Promise<TestSite> {
  const container = new URL(containerUrl)
  let html = ''
  const server: Server = createServer(selfSignedCertificate(), (req, res) => {
    if (req.method === 'GET' && (req.url === '/' || req.url?.startsWith('/?') === true)) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      })
      res.end(html)
      return
    }
    const upstream = httpRequest(
      {
        host: container.hostname,
        port: container.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: container.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`proxy error: ${error.message}`)
    })
    req.pipe(upstream)
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  const url = `https://127.0.0.1:${port}`
  html = page(url)
  return {
    url,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}
