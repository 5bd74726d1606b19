// report-helper.js: the public ES module of the report helper. One script tag is enough:
//
//   <script type="module" src="/report-helper/report-helper.js"></script>
//   <report-helper endpoint="https://helpline.example/api/reports" lang="nl"></report-helper>
//
// Importing it defines <report-helper> (unless that tag is taken; ReportHelper.define(tag)
// defines it under another name) and gives the JS API:
//
//   import { hashFile, buildReport, sendReport } from './report-helper.js';
//
// Files are hashed in Workers on this device; only hashes and URLs are ever sent.
// docs/embedding.md documents the element, docs/js-api.md the API.
export { hashFile, ReportHelperError, stopAllHashing } from './hashing.js';
export { buildReport, newToken, sendReport, checkReport, receipt, receiptHtml, redactScreenshot } from './report.js';
export { ReportHelper, normaliseUrl } from './element.js';
import { ReportHelper } from './element.js';

if (typeof customElements !== 'undefined' && !customElements.get('report-helper')) ReportHelper.define('report-helper');
