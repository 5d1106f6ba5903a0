import type { DeviceType } from './attributes.ts'

const tablet = /iPad|Tablet|PlayBook|Silk|Kindle|Nexus (7|9|10)|Android(?!.*Mobile)/i
const mobile = /Mobi|iPhone|iPod|Windows Phone|BlackBerry|BB10|Opera Mini|IEMobile/i

/**
 * Mobile, tablet or desktop from a User-Agent header, with two regular expressions instead of a
 * user-agent database: rules only need the class. Tablets are checked first because Android
 * tablets lack "Mobile". Default (no header, a bot): desktop.
 */
export function deviceType(userAgent: string | undefined): DeviceType {
  if (userAgent === undefined || userAgent === '') return 'desktop'
  if (tablet.test(userAgent)) return 'tablet'
  if (mobile.test(userAgent)) return 'mobile'
  return 'desktop'
}
