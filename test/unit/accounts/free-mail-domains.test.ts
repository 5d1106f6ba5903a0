import { describe, expect, it } from 'vitest'
import { workEmailDomain } from '../../../server/src/accounts/account-keys.ts'
import { freeMailDomains, parseDomainList } from '../../../server/src/accounts/free-mail-domains.ts'
import { normalizeDomain } from '../../../server/src/accounts/normalize-domain.ts'

/** Real employers, some of them with consumer products or mail-like names. */
const businessDomains =
  `walmart.com amazon.com apple.com cvshealth.com unitedhealthgroup.com att.com ford.com
costco.com chevron.com jpmorganchase.com gm.com verizon.com microsoft.com google.com kroger.com
bankofamerica.com homedepot.com comcast.com wellsfargo.com citigroup.com dell.com statefarm.com
target.com ibm.com boeing.com ups.com intel.com fedex.com pepsico.com disney.com hp.com cisco.com
oracle.com pfizer.com goldmansachs.com nike.com tesla.com netflix.com uber.com airbnb.com paypal.com
ebay.com salesforce.com stripe.com shopify.com atlassian.com github.com gitlab.com hubspot.com
slack.com zoom.us dropbox.com adobe.com nvidia.com accenture.com deloitte.com pwc.com kpmg.com ey.com
mckinsey.com bcg.com unilever.com nestle.com siemens.com bosch.com sap.com basf.com bayer.com
allianz.com daimler.com bmw.com volkswagen.de lufthansa.com ikea.com spotify.com ericsson.com
volvo.com maersk.com novonordisk.com roche.com novartis.com ubs.com abb.com philips.com shell.com
heineken.com ing.com asml.com adyen.com booking.com samsung.com lg.com hyundai.com infosys.com
tencent.com baidu.com huawei.com xiaomi.com kaspersky.com telekom.com orange.com vodafone.com bt.com
cloudflare.com vercel.com openai.com anthropic.com notion.so figma.com mozilla.com twilio.com
segment.com rudderstack.com mit.edu stanford.edu ox.ac.uk nhs.net gov.uk acme.com`.split(/\s+/)

describe('freeMailDomains', () => {
  it('holds the maintained list: thousands of providers and disposable domains', () => {
    expect(freeMailDomains.size).toBeGreaterThan(10_000)
    for (const domain of [
      'gmail.com',
      'outlook.com',
      'yahoo.co.jp',
      'gmx.de',
      'web.de',
      'qq.com',
    ]) {
      expect(freeMailDomains.has(domain), domain).toBe(true)
    }
    for (const domain of ['proton.me', 'mailinator.com', 'hey.com', 'tutanota.com']) {
      expect(freeMailDomains.has(domain), domain).toBe(true)
    }
  })

  it('never takes a real employer for a free-mail provider', () => {
    expect(businessDomains.filter((domain) => freeMailDomains.has(domain))).toEqual([])
  })

  it('holds every domain in the form lookups normalise emails to', () => {
    const unnormalised = [...freeMailDomains].filter((domain) => normalizeDomain(domain) !== domain)
    expect(unnormalised).toEqual([])
  })

  it('keeps a company link for a work email and none for a provider', () => {
    expect(workEmailDomain('ada@Siemens.com')).toBe('siemens.com')
    expect(workEmailDomain('ada@GoogleMail.com')).toBeUndefined()
    expect(workEmailDomain('ada@riseup.net')).toBeUndefined()
  })
})

describe('parseDomainList', () => {
  it('skips the header and licence lines and blank lines', () => {
    expect(parseDomainList('# list v1\n#\n# MIT\na.com\n\nb.org\n')).toEqual(['a.com', 'b.org'])
  })
})
