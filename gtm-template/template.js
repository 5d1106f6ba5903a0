const addConsentListener = require('addConsentListener');
const copyFromWindow = require('copyFromWindow');
const createQueue = require('createQueue');
const getType = require('getType');
const injectScript = require('injectScript');
const isConsentGranted = require('isConsentGranted');
const logToConsole = require('logToConsole');
const makeString = require('makeString');
const makeTableMap = require('makeTableMap');
const Object = require('Object');

/*==============================================================================
==============================================================================*/

// The path is fixed because inject_script only allows https://*/parley/client.js:
// any company's host, never any other path.
const CLIENT_PATH = '/parley/client.js';
const CONSENT_TYPE = 'personalization_storage';
const QUEUE_KEY = '_parleyq';

const containerUrl = normalizeContainerUrl(data.containerUrl);
if (!containerUrl) {
  return fail(
    'invalid_container_url',
    'Container URL must be https:// and a host name (and port), nothing else, e.g. https://www.example.com'
  );
}

const call = buildCall();
if (call.error) {
  return fail(call.error, call.message);
}

const granted = isConsentGranted(CONSENT_TYPE);
const enqueue = createQueue(QUEUE_KEY);
enqueue(['consent', { personalization: granted }]);

if (data.requireConsent !== false && !granted) {
  debug('personalization_storage is denied: nothing is sent until it is granted on this page');
  deferUntilConsent();
  return data.gtmOnSuccess();
}

deliver(data.gtmOnSuccess, data.gtmOnFailure);

/*==============================================================================
  Vendor related functions
==============================================================================*/

function deliver(onDone, onError) {
  enqueue(call.entry);
  debug('queued ' + call.entry[0]);
  if (getType(copyFromWindow('parley.client')) === 'object') {
    debug('client already loaded: it handles the call at once');
    return onDone();
  }
  const url = containerUrl + CLIENT_PATH;
  injectScript(
    url,
    () => {
      debug('client loaded from ' + url);
      onDone();
    },
    () => {
      log(
        'error',
        'client_load_failed',
        'Could not load ' + url + ': check the container URL and that the container is up'
      );
      onError();
    },
    url
  );
}

function deferUntilConsent() {
  let sent = false;
  addConsentListener(CONSENT_TYPE, (_consentType, nowGranted) => {
    if (sent || !nowGranted) return;
    sent = true;
    enqueue(['consent', { personalization: true }]);
    deliver(
      () => debug('consent granted: deferred ' + call.entry[0] + ' sent'),
      () => undefined
    );
  });
}

function buildCall() {
  if (data.action === 'page') return { entry: ['page'] };
  if (data.action === 'identify') return buildIdentify();
  if (data.action === 'track') return buildTrack();
  return { error: 'unknown_action', message: 'Action must be page, identify or track' };
}

function buildIdentify() {
  const userId = presentString(data.userId);
  if (!userId) {
    return {
      error: 'missing_user_id',
      message: 'User ID is empty on this event: check the variable in the User ID field',
    };
  }
  const traitsObject = data.traitsObject;
  const objectType = getType(traitsObject);
  if (objectType !== 'undefined' && objectType !== 'null' && objectType !== 'object') {
    return {
      error: 'invalid_traits_object',
      message: 'Traits object variable must return an object, got ' + objectType,
    };
  }
  const traits = merge(objectType === 'object' ? traitsObject : {}, rows(data.traits));
  const company = merge(
    getType(traits.company) === 'object' ? traits.company : {},
    rows(data.companyTraits)
  );
  if (Object.keys(company).length > 0) traits.company = company;

  const entry = ['identify', userId, traits];
  const userHash = presentString(data.userHash);
  if (userHash) {
    if (!isHex64(userHash)) {
      return {
        error: 'invalid_user_hash',
        message: 'Identity verification hash must be 64 hexadecimal characters (HMAC-SHA256)',
      };
    }
    entry.push({ userHash: userHash });
  }
  return { entry: entry };
}

function buildTrack() {
  const eventName = presentString(data.eventName);
  if (!eventName) {
    return { error: 'missing_event_name', message: 'Event name is empty on this event' };
  }
  return { entry: ['track', eventName, rows(data.eventProperties)] };
}

// Explicit rows typed in the tag win over the object variable: they are the marketer's choice.
function merge(base, overrides) {
  const result = {};
  Object.keys(base).forEach((key) => {
    result[key] = base[key];
  });
  Object.keys(overrides).forEach((key) => {
    result[key] = overrides[key];
  });
  return result;
}

function rows(table) {
  if (getType(table) !== 'array') return {};
  const keyed = table.filter((row) => presentString(row.key));
  return makeTableMap(keyed, 'key', 'value') || {};
}

// An unset Data Layer Variable arrives as undefined; never send the words "undefined"/"null".
function presentString(value) {
  const type = getType(value);
  if (type === 'undefined' || type === 'null') return '';
  const text = makeString(value).trim();
  return text === 'undefined' || text === 'null' ? '' : text;
}

function normalizeContainerUrl(value) {
  let url = presentString(value).toLowerCase();
  if (url.charAt(url.length - 1) === '/') url = url.slice(0, -1);
  const prefix = 'https://';
  if (url.indexOf(prefix) !== 0) return '';
  const hostAndPort = url.slice(prefix.length).split(':');
  const host = hostAndPort[0];
  const port = hostAndPort.length === 2 ? hostAndPort[1] : '0';
  if (hostAndPort.length > 2 || port.length > 5 || !onlyChars(port, '0123456789')) return '';
  if (host.charAt(0) === '.' || host.charAt(host.length - 1) === '.') return '';
  return onlyChars(host, 'abcdefghijklmnopqrstuvwxyz0123456789.-') ? url : '';
}

function onlyChars(text, allowed) {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    if (allowed.indexOf(text.charAt(i)) === -1) return false;
  }
  return true;
}

function isHex64(text) {
  return text.length === 64 && onlyChars(text, '0123456789abcdefABCDEF');
}

function fail(code, message) {
  log('error', code, message);
  return data.gtmOnFailure();
}

function debug(message) {
  if (data.debug) log('debug', 'info', message);
}

function log(level, code, message) {
  logToConsole('[parley] ' + level + ' ' + code + ': ' + message);
}
