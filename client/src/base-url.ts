/**
 * The container's base URL from the client's own script URL: everything before
 * `/parley/client….js`, so a container mounted under a path of the site (`/metrics`) works.
 * `undefined` when the URL is not a Parley client URL.
 */
export function baseFromScriptSrc(src: string): string | undefined {
  const match = /^(.*)\/parley\/client(\.[\w-]+)?\.js(?:[?#].*)?$/.exec(src)
  return match?.[1]
}
