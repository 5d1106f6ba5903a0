/* global window, document, localStorage, location, history, FormData */
// The demo site's own script. A real site sets `window.parleySettings` the same way (or not at
// all: every setting has a default), then includes the loader.
window.parleySettings = { debug: true, antiFlicker: true }

// Log every dataLayer event on the page, the way GTM's preview would show them.
window.dataLayer = window.dataLayer || []
const seen = []
const originalPush = window.dataLayer.push.bind(window.dataLayer)
window.dataLayer.push = (...items) => {
  for (const item of items) {
    if (item && typeof item.event === 'string') seen.push(item.event)
  }
  render()
  return originalPush(...items)
}

function render() {
  const list = document.getElementById('events')
  if (list === null) return
  list.replaceChildren(
    ...seen.map((name) => {
      const item = document.createElement('li')
      item.textContent = name
      return item
    }),
  )
  const id = document.getElementById('anonymous-id')
  if (id !== null) id.textContent = localStorage.getItem('parley_anon') || '(not yet)'
}

/** The panel that shows what Parley keeps on this device; every demo page gets one. */
function addPanel() {
  const panel = document.createElement('section')
  panel.className = 'panel'
  const heading = (level, text) => {
    const element = document.createElement(level)
    element.textContent = text
    return element
  }
  const id = heading('p', '(not yet)')
  id.id = 'anonymous-id'
  const payload = heading('pre', '(no identify yet)')
  payload.id = 'payload'
  const events = document.createElement('ol')
  events.id = 'events'
  panel.append(
    heading('h2', 'What Parley knows on this device'),
    heading('h3', 'Anonymous id'),
    id,
    heading('h3', 'Last identify answer'),
    payload,
    heading('h3', 'dataLayer events'),
    events,
  )
  document.querySelector('main')?.append(panel)
}

document.addEventListener('DOMContentLoaded', () => {
  addPanel()
  render()
  const client = window.parley.client

  const login = document.getElementById('login')
  login?.addEventListener('submit', (event) => {
    event.preventDefault()
    const form = new FormData(login)
    const value = (name) => String(form.get(name) || '').trim()
    const company = {
      name: value('companyName'),
      domain: value('companyDomain'),
      industry: value('industry'),
      employeeCount: Number(value('employeeCount')) || undefined,
    }
    // What a site's login code would push for GTM (the Parley tag can fire on it)...
    window.dataLayer.push({
      event: 'login',
      userId: value('userId'),
      email: value('email'),
      company,
    })
    // ...and the direct call, which answers with the new payload.
    client
      .identify(value('userId'), { name: value('name'), email: value('email'), company })
      .then((payload) => {
        document.getElementById('payload').textContent = JSON.stringify(payload, null, 2)
        render()
      })
      .catch((error) => {
        document.getElementById('payload').textContent = String(error)
      })
  })
  document.getElementById('logout')?.addEventListener('click', () => {
    client.reset()
    document.getElementById('payload').textContent = '(logged out: new anonymous id)'
    render()
  })

  for (const button of document.querySelectorAll('[data-billing]')) {
    button.addEventListener('click', () => {
      history.pushState({}, '', `/pricing?billing=${button.dataset.billing}`)
    })
  }
  // The demo experiences' goal: counted in the console's results for enterprise-pricing.
  document.getElementById('book-demo')?.addEventListener('click', () => {
    client.track('Demo Requested', { plan: 'enterprise' })
  })
  document.getElementById('contact-sales')?.addEventListener('click', () => {
    client.track('Contact Sales Clicked', { plan: 'enterprise' })
  })
  // The seed's example: a trait on the anonymous visitor.
  if (location.pathname === '/pricing') client.identify(null, { viewedPricing: true })
})
