/** Diagnostics for a changed or failing service: redaction, recorded exchanges, dumps. */
export { writeDump, type DumpInput } from './dump';
export { DEFAULT_RECORDER_LIMIT, ExchangeRecorder } from './recorder';
export { redactExchange, redactExchanges, redactText, redactWith, type KnownSecrets } from './redact';
