___TERMS_OF_SERVICE___

By creating or modifying this file you agree to Google Tag Manager's Community
Template Gallery Developer Terms of Service available at
https://developers.google.com/tag-manager/gallery-tos (or such other URL as
Google may provide), as modified from time to time.


___INFO___

{
  "type": "TAG",
  "id": "cvt_temp_public_id",
  "version": 1,
  "securityGroups": [],
  "displayName": "Parley - Visitor Identification",
  "categories": [
    "PERSONALIZATION",
    "ANALYTICS"
  ],
  "brand": {
    "id": "brand_dummy",
    "displayName": "Parley",
    "thumbnail": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADAAAAAwCAYAAABXAvmHAAAApklEQVR42u2ZSw6AIAwFuYRH9J7eTLcuMCC09MO8xB0hM4kGeS2FECKW47zunicktDuZWXAzEWnwpSLa8KoSq+BVJFbDi0pYwYtIWMNPS4QW8AI/LBFawBv8bwkELAW8wndLbCPwTmvNzB4qArW01ozsYSbwFQR4hbJ8xJwDu57G/MxxJ+BGRitBN7RXO0e5m6peTzHgSDFiSjPkSzNmrUkwMSeB8gB6iaXDn05ySAAAAABJRU5ErkJggg\u003d\u003d"
  },
  "description": "Loads the Parley client from your own Parley container, sends page views, identifies visitors when they log in (with their traits and company) and tracks conversions, so your site can personalise content for them.",
  "containerContexts": [
    "WEB"
  ]
}


___TEMPLATE_PARAMETERS___

[
  {
    "type": "SELECT",
    "name": "action",
    "displayName": "Action",
    "macrosInSelect": false,
    "selectItems": [
      {
        "value": "page",
        "displayValue": "Load Parley and send a page view"
      },
      {
        "value": "identify",
        "displayValue": "Identify the visitor"
      },
      {
        "value": "track",
        "displayValue": "Track an event"
      }
    ],
    "simpleValueType": true,
    "defaultValue": "page",
    "alwaysInSummary": true,
    "help": "What this tag does when it fires. Every action loads the Parley client first if the page does not have it yet. Use \u003cb\u003eLoad Parley and send a page view\u003c/b\u003e on All Pages, \u003cb\u003eIdentify the visitor\u003c/b\u003e on your \u003ci\u003elogin\u003c/i\u003e custom event, and \u003cb\u003eTrack an event\u003c/b\u003e on conversions."
  },
  {
    "type": "TEXT",
    "name": "containerUrl",
    "displayName": "Parley container URL",
    "simpleValueType": true,
    "valueHint": "https://www.example.com",
    "alwaysInSummary": true,
    "valueValidators": [
      {
        "type": "NON_EMPTY"
      },
      {
        "type": "REGEX",
        "args": [
          "^(https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?|.*\\{\\{.+\\}\\}.*)$"
        ],
        "errorMessage": "Enter https:// and the host name of your Parley container only, e.g. https://www.example.com (no path)."
      }
    ],
    "help": "The address of your company\u0027s Parley container: \u003cb\u003ehttps://\u003c/b\u003e and a host name, nothing after it. The client is loaded from \u003ci\u003e{container URL}/parley/client.js\u003c/i\u003e. Ask whoever runs the container; serving it on your site\u0027s own domain keeps its cookie first-party."
  },
  {
    "type": "TEXT",
    "name": "userId",
    "displayName": "User ID",
    "simpleValueType": true,
    "valueHint": "{{DLV - userId}}",
    "valueValidators": [
      {
        "type": "NON_EMPTY"
      }
    ],
    "enablingConditions": [
      {
        "paramName": "action",
        "paramValue": "identify",
        "type": "EQUALS"
      }
    ],
    "help": "Your own stable id for the logged-in user, usually a Data Layer Variable reading \u003ci\u003euserId\u003c/i\u003e from the \u003ci\u003elogin\u003c/i\u003e event. Never use an email address or a name. When it is empty on an event the tag fails and logs \u003ci\u003emissing_user_id\u003c/i\u003e."
  },
  {
    "type": "SIMPLE_TABLE",
    "name": "traits",
    "displayName": "User traits",
    "simpleTableColumns": [
      {
        "defaultValue": "",
        "displayName": "Trait",
        "name": "key",
        "type": "TEXT"
      },
      {
        "defaultValue": "",
        "displayName": "Value",
        "name": "value",
        "type": "TEXT"
      }
    ],
    "newRowButtonText": "Add trait",
    "help": "Facts about the user, e.g. \u003ci\u003eemail\u003c/i\u003e, \u003ci\u003ename\u003c/i\u003e, \u003ci\u003etitle\u003c/i\u003e, \u003ci\u003eplan\u003c/i\u003e. Values are usually Data Layer Variables. Rows with an empty trait name are skipped. These rows win over the same trait in the traits object below.",
    "enablingConditions": [
      {
        "paramName": "action",
        "paramValue": "identify",
        "type": "EQUALS"
      }
    ]
  },
  {
    "type": "SIMPLE_TABLE",
    "name": "companyTraits",
    "displayName": "Company traits",
    "simpleTableColumns": [
      {
        "defaultValue": "",
        "displayName": "Company trait",
        "name": "key",
        "type": "TEXT"
      },
      {
        "defaultValue": "",
        "displayName": "Value",
        "name": "value",
        "type": "TEXT"
      }
    ],
    "newRowButtonText": "Add company trait",
    "help": "Facts about the user\u0027s company, stored on a shared company account: \u003ci\u003eid\u003c/i\u003e or \u003ci\u003edomain\u003c/i\u003e (one of them names the account), \u003ci\u003ename\u003c/i\u003e, \u003ci\u003eindustry\u003c/i\u003e, \u003ci\u003eemployeeCount\u003c/i\u003e, \u003ci\u003eplan\u003c/i\u003e. A Data Layer Variable such as \u003ci\u003ecompany.id\u003c/i\u003e reads nested values.",
    "enablingConditions": [
      {
        "paramName": "action",
        "paramValue": "identify",
        "type": "EQUALS"
      }
    ]
  },
  {
    "type": "TEXT",
    "name": "traitsObject",
    "displayName": "Traits object variable (optional)",
    "simpleValueType": true,
    "valueHint": "{{DLV - user}}",
    "enablingConditions": [
      {
        "paramName": "action",
        "paramValue": "identify",
        "type": "EQUALS"
      }
    ],
    "help": "A variable that returns a whole object of traits, e.g. \u003ci\u003e{email: \u0027ada@acme.com\u0027, company: {id: \u0027acme\u0027}}\u003c/i\u003e. Merged under the table rows above. Leave empty if you use the tables only. If the variable returns something other than an object, the tag fails and logs \u003ci\u003einvalid_traits_object\u003c/i\u003e."
  },
  {
    "type": "TEXT",
    "name": "userHash",
    "displayName": "Identity verification hash (optional)",
    "simpleValueType": true,
    "valueHint": "{{DLV - userHash}}",
    "enablingConditions": [
      {
        "paramName": "action",
        "paramValue": "identify",
        "type": "EQUALS"
      }
    ],
    "help": "Needed when your container requires identity verification: the 64-character HMAC-SHA256 of the user id that your site\u0027s backend computes with the container\u0027s secret and puts in the data layer. Never compute it in GTM: the secret must stay on your server."
  },
  {
    "type": "TEXT",
    "name": "eventName",
    "displayName": "Event name",
    "simpleValueType": true,
    "valueHint": "Demo Requested",
    "valueValidators": [
      {
        "type": "NON_EMPTY"
      }
    ],
    "enablingConditions": [
      {
        "paramName": "action",
        "paramValue": "track",
        "type": "EQUALS"
      }
    ],
    "help": "The name of the conversion, e.g. \u003ci\u003eDemo Requested\u003c/i\u003e. Keep names stable: reports and experiences refer to them."
  },
  {
    "type": "SIMPLE_TABLE",
    "name": "eventProperties",
    "displayName": "Event properties",
    "simpleTableColumns": [
      {
        "defaultValue": "",
        "displayName": "Property",
        "name": "key",
        "type": "TEXT"
      },
      {
        "defaultValue": "",
        "displayName": "Value",
        "name": "value",
        "type": "TEXT"
      }
    ],
    "newRowButtonText": "Add property",
    "help": "Optional details of the event, e.g. \u003ci\u003eplan\u003c/i\u003e or \u003ci\u003evalue\u003c/i\u003e.",
    "enablingConditions": [
      {
        "paramName": "action",
        "paramValue": "track",
        "type": "EQUALS"
      }
    ]
  },
  {
    "type": "GROUP",
    "name": "consentGroup",
    "displayName": "Consent",
    "groupStyle": "NO_ZIPPY",
    "subParams": [
      {
        "type": "CHECKBOX",
        "name": "requireConsent",
        "checkboxText": "Only load Parley and send data when personalization_storage is granted",
        "simpleValueType": true,
        "defaultValue": true,
        "help": "While \u003ci\u003epersonalization_storage\u003c/i\u003e is denied the tag loads nothing, sends nothing, and succeeds; if consent is granted later on the same page, the call is sent then. The consent state is always passed to the client. Untick only if your site blocks this tag by other means. Also set Advanced Settings \u0026gt; Consent Settings \u0026gt; Require additional consent: personalization_storage."
      }
    ]
  },
  {
    "type": "GROUP",
    "name": "debugGroup",
    "displayName": "Debugging",
    "groupStyle": "ZIPPY_CLOSED",
    "subParams": [
      {
        "type": "CHECKBOX",
        "name": "debug",
        "checkboxText": "Log each step to the browser console",
        "simpleValueType": true,
        "defaultValue": false,
        "help": "Logs what the tag queues and loads, prefixed with \u003ci\u003e[parley]\u003c/i\u003e. Logs appear in Preview mode only; errors are logged there even when this is off."
      }
    ]
  }
]


___SANDBOXED_JS_FOR_WEB_TEMPLATE___

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


___WEB_PERMISSIONS___

[
  {
    "instance": {
      "key": {
        "publicId": "logging",
        "versionId": "1"
      },
      "param": [
        {
          "key": "environments",
          "value": {
            "type": 1,
            "string": "debug"
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "access_globals",
        "versionId": "1"
      },
      "param": [
        {
          "key": "keys",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "key"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  },
                  {
                    "type": 1,
                    "string": "execute"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "_parleyq"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": false
                  }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "key"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  },
                  {
                    "type": 1,
                    "string": "execute"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "parley.client"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": false
                  },
                  {
                    "type": 8,
                    "boolean": false
                  }
                ]
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "inject_script",
        "versionId": "1"
      },
      "param": [
        {
          "key": "urls",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 1,
                "string": "https://*/parley/client.js"
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "access_consent",
        "versionId": "1"
      },
      "param": [
        {
          "key": "consentTypes",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "consentType"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "personalization_storage"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": false
                  }
                ]
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  }
]


___TESTS___

scenarios:
- name: "page: queues consent and a page view, then injects the client once"
  code: |-
    runCode(mockData);

    assertApi('createQueue').wasCalledWith('_parleyq');
    assertThat(pushed).isEqualTo([['consent', { personalization: true }], ['page']]);
    assertThat(injections).hasLength(1);
    assertThat(injections[0].url).isEqualTo(clientUrl);
    assertThat(injections[0].cacheToken).isEqualTo(clientUrl);
    assertApi('gtmOnSuccess').wasNotCalled();
    assertApi('gtmOnFailure').wasNotCalled();
- name: "client not loaded: success waits until the script has loaded"
  code: |-
    runCode(identifyData);
    assertApi('gtmOnSuccess').wasNotCalled();

    injections[0].onSuccess();

    assertApi('gtmOnSuccess').wasCalled();
    assertApi('gtmOnFailure').wasNotCalled();
- name: "client already loaded: the call goes to its queue and nothing is injected"
  code: |-
    loadedClient = { identify: 'function' };

    runCode(identifyData);

    assertApi('injectScript').wasNotCalled();
    assertThat(pushed[1][0]).isEqualTo('identify');
    assertApi('gtmOnSuccess').wasCalled();
    assertApi('gtmOnFailure').wasNotCalled();
- name: "script load failure: gtmOnFailure only, with a console error"
  code: |-
    runCode(mockData);

    injections[0].onFailure();

    assertApi('gtmOnFailure').wasCalled();
    assertApi('gtmOnSuccess').wasNotCalled();
    assertThat(logs[0]).contains('client_load_failed', clientUrl);
- name: "identify: user id, trait table, company table and hash become one queued call"
  code: |-
    identifyData.userHash = 'A3F1c0ffee00000000000000000000000000000000000000000000000000beef';

    runCode(identifyData);
    injections[0].onSuccess();

    assertThat(pushed[1]).isEqualTo([
      'identify',
      'u-123',
      { email: 'ada@acme.example', company: { id: 'acme', name: 'Acme' } },
      { userHash: 'A3F1c0ffee00000000000000000000000000000000000000000000000000beef' },
    ]);
    assertApi('gtmOnSuccess').wasCalled();
- name: "identify: trait tables and the traits object merge, typed rows win"
  code: |-
    identifyData.traitsObject = {
      plan: 'free',
      title: 'CTO',
      company: { name: 'Old name', industry: 'Software' },
    };
    identifyData.traits = [{ key: 'plan', value: 'pro' }, { key: '', value: 'ignored' }];
    identifyData.companyTraits = [{ key: 'name', value: 'Acme' }];

    runCode(identifyData);

    assertThat(pushed[1]).isEqualTo([
      'identify',
      'u-123',
      { plan: 'pro', title: 'CTO', company: { name: 'Acme', industry: 'Software' } },
    ]);
- name: "identify: no traits at all sends an empty traits object"
  code: |-
    identifyData.traits = [];
    identifyData.companyTraits = undefined;
    identifyData.traitsObject = undefined;

    runCode(identifyData);

    assertThat(pushed[1]).isEqualTo(['identify', 'u-123', {}]);
- name: "identify: a missing user id fails and sends or loads nothing"
  code: |-
    const missing = [undefined, null, '', '   ', 'undefined', 'null'];
    missing.forEach((userId) => {
      identifyData.userId = userId;
      runCode(identifyData);
    });

    assertThat(pushed).isEmpty();
    assertApi('injectScript').wasNotCalled();
    assertApi('gtmOnSuccess').wasNotCalled();
    assertApi('gtmOnFailure').wasCalled();
    assertThat(logs).hasLength(missing.length);
    assertThat(logs[0]).contains('missing_user_id');
- name: "identify: a numeric user id is sent as a string"
  code: |-
    identifyData.userId = 42;

    runCode(identifyData);

    assertThat(pushed[1][1]).isStrictlyEqualTo('42');
- name: "identify: a traits variable that is not an object fails"
  code: |-
    identifyData.traitsObject = 'plan=pro';

    runCode(identifyData);

    assertApi('gtmOnFailure').wasCalled();
    assertApi('gtmOnSuccess').wasNotCalled();
    assertThat(pushed).isEmpty();
    assertThat(logs[0]).contains('invalid_traits_object');
- name: "identify: a malformed verification hash fails"
  code: |-
    identifyData.userHash = 'not-a-hash';

    runCode(identifyData);

    assertApi('gtmOnFailure').wasCalled();
    assertApi('gtmOnSuccess').wasNotCalled();
    assertThat(pushed).isEmpty();
    assertThat(logs[0]).contains('invalid_user_hash');
- name: "track: event name and properties are queued"
  code: |-
    runCode({
      action: 'track',
      containerUrl: containerUrl,
      eventName: 'Demo Requested',
      eventProperties: [{ key: 'plan', value: 'enterprise' }],
      requireConsent: true,
    });
    injections[0].onSuccess();

    assertThat(pushed[1]).isEqualTo(['track', 'Demo Requested', { plan: 'enterprise' }]);
    assertApi('gtmOnSuccess').wasCalled();
    assertApi('gtmOnFailure').wasNotCalled();
- name: "track: a missing event name fails"
  code: |-
    runCode({ action: 'track', containerUrl: containerUrl, eventName: ' ', requireConsent: true });

    assertApi('gtmOnFailure').wasCalled();
    assertApi('gtmOnSuccess').wasNotCalled();
    assertThat(logs[0]).contains('missing_event_name');
- name: "consent denied: nothing is loaded or identified, the tag succeeds"
  code: |-
    consentGranted = false;

    runCode(identifyData);

    assertThat(pushed).isEqualTo([['consent', { personalization: false }]]);
    assertApi('injectScript').wasNotCalled();
    assertApi('addConsentListener').wasCalled();
    assertApi('gtmOnSuccess').wasCalled();
    assertApi('gtmOnFailure').wasNotCalled();
- name: "consent granted later on the page: the deferred call is sent once"
  code: |-
    consentGranted = false;
    runCode(identifyData);

    consentListener('personalization_storage', false);
    assertThat(pushed).hasLength(1);

    consentListener('personalization_storage', true);
    consentListener('personalization_storage', true);

    assertThat(pushed).isEqualTo([
      ['consent', { personalization: false }],
      ['consent', { personalization: true }],
      ['identify', 'u-123', { email: 'ada@acme.example', company: { id: 'acme', name: 'Acme' } }],
    ]);
    assertThat(injections).hasLength(1);
    assertThat(injections[0].url).isEqualTo(clientUrl);
- name: "consent check off: the call is sent and carries the denied state"
  code: |-
    consentGranted = false;
    mockData.requireConsent = false;

    runCode(mockData);

    assertThat(pushed).isEqualTo([['consent', { personalization: false }], ['page']]);
    assertThat(injections).hasLength(1);
- name: "container URL: anything but https, a host and a port fails before loading"
  code: |-
    const invalid = [
      'http://www.example.com',
      'https://www.example.com/parley',
      'https://www.example.com?x=1',
      'https://user@www.example.com',
      'https://www.example.com:',
    'https://www.example.com:443:1',
    'https://www.example.com:84a3',
      'https://',
      'javascript:alert(1)',
      '',
      undefined,
    ];
    invalid.forEach((url) => {
      mockData.containerUrl = url;
      runCode(mockData);
    });

    assertApi('injectScript').wasNotCalled();
    assertThat(pushed).isEmpty();
    assertApi('gtmOnSuccess').wasNotCalled();
    assertThat(logs).hasLength(invalid.length);
    assertThat(logs[0]).contains('invalid_container_url');
- name: "container URL: case and a trailing slash are normalised, a port is kept"
  code: |-
    mockData.containerUrl = ' https://WWW.Example.com/ ';

    runCode(mockData);

    assertThat(injections[0].url).isEqualTo(clientUrl);

    mockData.containerUrl = 'https://parley.example.com:8443';
    runCode(mockData);

    assertThat(injections[1].url).isEqualTo('https://parley.example.com:8443/parley/client.js');
- name: an unknown action fails
  code: |-
    mockData.action = 'alias';

    runCode(mockData);

    assertApi('gtmOnFailure').wasCalled();
    assertApi('injectScript').wasNotCalled();
    assertThat(logs[0]).contains('unknown_action');
- name: "debug logging: silent when off, each step logged when on"
  code: |-
    runCode(mockData);
    assertThat(logs).isEmpty();

    mockData.debug = true;
    runCode(mockData);
    injections[1].onSuccess();

    assertThat(logs).contains('[parley] debug info: queued page');
    assertThat(logs).contains('[parley] debug info: client loaded from ' + clientUrl);
setup: |-
  const containerUrl = 'https://www.example.com';
  const clientUrl = 'https://www.example.com/parley/client.js';
  const pushed = [];
  const injections = [];
  const logs = [];
  let consentGranted = true;
  let consentListener;
  let loadedClient;

  const mockData = {
    action: 'page',
    containerUrl: containerUrl,
    requireConsent: true,
    debug: false,
  };

  const identifyData = {
    action: 'identify',
    containerUrl: containerUrl,
    userId: 'u-123',
    traits: [{ key: 'email', value: 'ada@acme.example' }],
    companyTraits: [{ key: 'id', value: 'acme' }, { key: 'name', value: 'Acme' }],
    requireConsent: true,
    debug: false,
  };

  mock('createQueue', (key) => (entry) => {
    pushed.push(entry);
  });
  mock('injectScript', (url, onSuccess, onFailure, cacheToken) => {
    injections.push({ url: url, onSuccess: onSuccess, onFailure: onFailure, cacheToken: cacheToken });
  });
  mock('isConsentGranted', (consentType) => consentGranted);
  mock('addConsentListener', (consentType, listener) => {
    consentListener = listener;
  });
  mock('copyFromWindow', (key) => (key === 'parley.client' ? loadedClient : undefined));
  mock('logToConsole', (message) => {
    logs.push(message);
  });


___NOTES___

2026-11-30 Initial version: page, identify and track actions; consent gate on
personalization_storage; client loaded from the company's own container.

Created on 30/11/2026, 08:00:00


