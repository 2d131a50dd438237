/**
 * WAMP v2 message type codes and the error/close URIs realmgate and its simulators use.
 * Numbers from the WAMP spec (autobahn `wamp/message.py`); see shared/crossbar-facts.md §6.
 */
export const MessageType = {
  HELLO: 1,
  WELCOME: 2,
  ABORT: 3,
  CHALLENGE: 4,
  AUTHENTICATE: 5,
  GOODBYE: 6,
  ERROR: 8,
  PUBLISH: 16,
  PUBLISHED: 17,
  SUBSCRIBE: 32,
  SUBSCRIBED: 33,
  UNSUBSCRIBE: 34,
  UNSUBSCRIBED: 35,
  EVENT: 36,
  CALL: 48,
  CANCEL: 49,
  RESULT: 50,
  REGISTER: 64,
  REGISTERED: 65,
  UNREGISTER: 66,
  UNREGISTERED: 67,
  INVOCATION: 68,
  INTERRUPT: 69,
  YIELD: 70,
} as const;

export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

export const HELLO = MessageType.HELLO;
export const WELCOME = MessageType.WELCOME;
export const ABORT = MessageType.ABORT;
export const CHALLENGE = MessageType.CHALLENGE;
export const AUTHENTICATE = MessageType.AUTHENTICATE;
export const GOODBYE = MessageType.GOODBYE;
export const ERROR = MessageType.ERROR;
export const PUBLISH = MessageType.PUBLISH;
export const PUBLISHED = MessageType.PUBLISHED;
export const SUBSCRIBE = MessageType.SUBSCRIBE;
export const SUBSCRIBED = MessageType.SUBSCRIBED;
export const UNSUBSCRIBE = MessageType.UNSUBSCRIBE;
export const UNSUBSCRIBED = MessageType.UNSUBSCRIBED;
export const EVENT = MessageType.EVENT;
export const CALL = MessageType.CALL;
export const RESULT = MessageType.RESULT;
export const REGISTER = MessageType.REGISTER;
export const REGISTERED = MessageType.REGISTERED;
export const UNREGISTER = MessageType.UNREGISTER;
export const UNREGISTERED = MessageType.UNREGISTERED;
export const INVOCATION = MessageType.INVOCATION;
export const YIELD = MessageType.YIELD;

/** Error and close reason URIs (the ones Crossbar sends for the cases realmgate cares about). */
export const WampUri = {
  NO_SUCH_REALM: 'wamp.error.no_such_realm',
  NO_SUCH_ROLE: 'wamp.error.no_such_role',
  NO_SUCH_PRINCIPAL: 'wamp.error.no_such_principal',
  NO_AUTH_METHOD: 'wamp.error.no_auth_method',
  AUTHENTICATION_FAILED: 'wamp.error.authentication_failed',
  NOT_AUTHORIZED: 'wamp.error.not_authorized',
  PROTOCOL_VIOLATION: 'wamp.error.protocol_violation',
  NO_SUCH_PROCEDURE: 'wamp.error.no_such_procedure',
  PROCEDURE_ALREADY_EXISTS: 'wamp.error.procedure_already_exists',
  NO_SUCH_REGISTRATION: 'wamp.error.no_such_registration',
  NO_SUCH_SUBSCRIPTION: 'wamp.error.no_such_subscription',
  INVALID_URI: 'wamp.error.invalid_uri',
  INVALID_ARGUMENT: 'wamp.error.invalid_argument',
  RUNTIME_ERROR: 'wamp.error.runtime_error',
  CANCELED: 'wamp.error.canceled',
  SYSTEM_SHUTDOWN: 'wamp.close.system_shutdown',
  CLOSE_NORMAL: 'wamp.close.normal',
  GOODBYE_AND_OUT: 'wamp.close.goodbye_and_out',
} as const;
