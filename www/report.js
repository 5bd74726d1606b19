// report.js: the report, by job: building it (report/build.js), sending it (send.js), blacking
// out screenshots (redact.js), its status (status.js) and the receipts (receipt.js).
export { buildReport } from './report/build.js';
export { RETRY_DELAYS, newToken, savedReportFile, sendReport } from './report/send.js';
export { redactScreenshot } from './report/redact.js';
export { STATUSES, checkReport } from './report/status.js';
export { receipt, receiptHtml, vpdqHashCount } from './report/receipt.js';
