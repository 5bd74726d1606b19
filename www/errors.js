// errors.js: the one error class of the helper. Every refusal or failure it throws or rejects
// with is a ReportHelperError whose `code` says what went wrong: 'worker-failed', 'read-failed',
// 'hash-failed' (hashing), 'invalid-report' (with `field` and `problem`), 'send-failed',
// 'send-rejected', 'not-found' (sending and status), 'redact-refused' (screenshots).

/** Errors of the helper carry a `code`: 'worker-failed', 'read-failed' or 'hash-failed'. */
export class ReportHelperError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'ReportHelperError';
    this.code = code;
  }
}
