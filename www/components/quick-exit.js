// quick-exit.js: the quick exit, as GOV.UK Frontend's "Exit this page": its button, and Shift
// pressed three times within two seconds anywhere on the page. Either fires `exit`; leaving (and
// forgetting) is the element's job. Beside it, "Browse safely": how to leave fewer traces.
const SHIFTS = 3;
const SHIFT_WINDOW_MS = 2000;

/**
 * The top bar's exit (sticky, report-helper.css) and the closed "Browse safely" note under it.
 * The Shift hint is shown by a media query only where a mouse is the main pointer: a phone's
 * on-screen Shift sends no key, so the hint would be false there.
 */
export const EXIT_HTML = `
  <div class="exit-box">
    <button type="button" class="exit" id="exit" data-i18n="exit.button"></button>
    <p class="exit-hint" data-i18n="exit.hint"></p>
  </div>`;
export const SAFE_HTML = `
<details class="safe" id="safe"><summary data-i18n="exit.safe"></summary><ul>
  <li data-i18n="exit.safePrivate"></li><li data-i18n="exit.safeHistory"></li>
  <li data-i18n="exit.safeDownloads"></li><li data-i18n="exit.safeLeave"></li>
</ul></details>`;

export class QuickExit extends EventTarget {
  #shifts = [];
  #lastKeyModified = false;

  constructor(button) {
    super();
    button.addEventListener('click', () => this.dispatchEvent(new Event('exit')));
  }

  /** Listens for the shortcut (`on`), or stops (while the element is off the page). */
  listen(on) {
    window[on ? 'addEventListener' : 'removeEventListener']('keyup', this.#onKey, true);
  }

  // Counted on key up, as GOV.UK does: a Shift that made a capital letter does not count, and
  // any other key starts the count again, so typing never leaves the page by accident.
  #onKey = (e) => {
    if (e.key === 'Shift' && !this.#lastKeyModified) {
      const now = e.timeStamp;
      this.#shifts = [...this.#shifts.filter((at) => now - at < SHIFT_WINDOW_MS), now];
      if (this.#shifts.length >= SHIFTS) this.dispatchEvent(new Event('exit'));
    } else if (e.key !== 'Shift') {
      this.#shifts = [];
    }
    this.#lastKeyModified = e.key !== 'Shift' && e.shiftKey;
  };
}
